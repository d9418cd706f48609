// Bundle the CLI: dist/cli.js holds only the commander wiring (so `duo-jira --help` loads one small file),
// and each command is bundled on its own into dist/commands/<name>/: one file for everything the command
// needs up front, plus chunks for what it loads lazily (the Duo API client, prompts, diff). A run thus
// loads two modules instead of a dozen shared chunks, which is measurable at this size (bench/).
// Whitespace and syntax are minified; names are kept so stack traces stay readable.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';

const common = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
};

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
  build({
    ...common,
    entryPoints: { cli: 'src/cli.ts' },
    outdir: 'dist',
    plugins: [{
      name: 'commands-are-separate-bundles',
      setup(b) {
        b.onResolve({ filter: /^\.\/commands\/[\w-]+\.js$/ }, (args) => ({ path: args.path.replace(/\.js$/, '/index.js'), external: true }));
      },
    }, lazyChildProcessForCommander],
  }),
  ...commands.map((name) => build({ ...common, entryPoints: { index: `src/commands/${name}.ts` }, outdir: `dist/commands/${name}` })),
]);
