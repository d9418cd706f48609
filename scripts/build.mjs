// Bundle the CLI into dist/ as CommonJS, loaded by dist/boot.cjs (src/boot.ts) with V8's code cache:
//   dist/cli.cjs                 the commander wiring only (so `duo-jira --help` loads one small file)
//   dist/commands/<name>.cjs     everything one command needs up front: a run compiles two bundles
//   dist/lib/<package>.cjs       the big libraries a command loads only when needed (undici, execa, …)
//   *.cjs.cache                  V8's compiled code for each bundle, with a SHA-256 tying it to the bundle
// CommonJS rather than ESM because on Node 20 the ESM loader and the ESM facades of builtins cost more
// than the whole of commander, and because V8's code cache is only reachable from a vm.Script.
// Whitespace and syntax are minified; names are kept so stack traces stay readable.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Loaded when first used; each becomes its own bundle in dist/lib/. */
const lazy = { undici: 'undici', execa: 'execa', diff: 'diff', '@inquirer/prompts': 'inquirer-prompts', fflate: 'fflate', chalk: 'chalk' };

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  outExtension: { '.js': '.cjs' },
  // import() becomes require(), which src/boot.ts serves; a vm.Script has no ESM loader behind it.
  supported: { 'dynamic-import': false },
  // The few import.meta.url uses (lazy builtins, finding package.json) get the bundle's own file URL.
  // "use strict" first: all sources are ES modules, which are strict, and a directive after the
  // banner's statement would be a plain string.
  banner: { js: '"use strict";var __duo_import_meta_url=require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__duo_import_meta_url' },
};

/** Lazy libraries and other commands are separate bundles, required by their path in dist/. */
function externals(fromDir) {
  return {
    name: 'separate-bundles',
    setup(b) {
      // cli.ts loads each command; a command using another's code (install → restart) bundles it.
      b.onResolve({ filter: /^\.\/commands\/[\w-]+\.js$/ }, (args) => (args.importer.endsWith('src/cli.ts') ? { path: args.path.replace(/\.js$/, '.cjs'), external: true } : undefined));
      b.onResolve({ filter: /.*/ }, (args) => (args.path in lazy && args.kind === 'dynamic-import' ? { path: `${fromDir}lib/${lazy[args.path]}.cjs`, external: true } : undefined));
    },
  };
}

// commander requires child_process at load time, only to run git-style executable subcommands, which
// duo-jira has none of. Loading it (and net, dgram, streams with it) is ~10% of `--help`: defer it.
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) => (args.importer.includes('node_modules/commander/') ? { path: 'child_process', namespace: 'lazy' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= require('node:child_process'))[k] });",
      loader: 'js',
    }));
  },
};

const commands = readdirSync('src/commands').filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
rmSync('dist', { recursive: true, force: true });
await Promise.all([
  build({ ...common, entryPoints: { boot: 'src/boot.ts' }, outdir: 'dist', banner: {} }),
  build({ ...common, entryPoints: { cli: 'src/cli.ts' }, outdir: 'dist', plugins: [externals('./'), lazyChildProcessForCommander] }),
  ...commands.map((name) => build({ ...common, entryPoints: { [name]: `src/commands/${name}.ts` }, outdir: 'dist/commands', plugins: [externals('../')] })),
  ...Object.entries(lazy).map(([pkg, name]) => build({ ...common, entryPoints: { [name]: pkg }, outdir: 'dist/lib' })),
]);

// Every bundle runs in a vm.Script without an ESM loader: an import() left over would fail at run time.
const bundles = ['cli.cjs', ...commands.map((c) => `commands/${c}.cjs`), ...Object.values(lazy).map((l) => `lib/${l}.cjs`)].map((f) => join('dist', f));
for (const file of bundles) {
  if (/\bimport\(/.test(readFileSync(file, 'utf8'))) throw new Error(`${file} still contains import(): it would fail under dist/boot.cjs`);
}
const { writeCache } = createRequire(import.meta.url)('../dist/boot.cjs');
for (const file of bundles) writeCache(join(process.cwd(), file));
// Then replace the caches of the bundles the everyday commands load with ones made after running them.
// Only PATH passes: the training must not see this machine's JIRA_HOME, state folder or anything else.
const train = spawnSync(process.execPath, ['scripts/train-code-cache.mjs'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 120_000 });
if (train.status !== 0) throw new Error(`training the code cache failed:\n${train.stdout}${train.stderr}`);
