// Bundle the CLI so `duo-jira --help` loads one small file and each command is a lazily loaded chunk.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';

const commands = readdirSync('src/commands').filter((f) => f.endsWith('.ts')).map((f) => `src/commands/${f}`);
rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli.ts', ...commands],
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
