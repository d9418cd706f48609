// Loads the bundles in dist/ (CommonJS) with V8's code cache, which the build writes next to each bundle.
// A run spends a large share of its time compiling JavaScript before doing any work; with the cache V8
// deserializes the compiled top level instead (bench/README.md has the numbers). Node 22 offers this as
// module.enableCompileCache(); Node 20 does not, hence this small loader.
//
// The cache is only ever an optimization: a missing, foreign or stale cache means a normal compile.
// V8 itself rejects data from another V8 version or other flags, and checks the source length. To not
// rely on the length alone, every bundle starts with `/*duo-jira build <id>*/` (random per build) and
// its cache file starts with the same id; data of another build is never handed to V8.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Script } from 'node:vm';

/** Node's own CommonJS wrapper, so bundles see exports, require, module, __filename and __dirname. */
const PREFIX = '(function (exports, require, module, __filename, __dirname) { ';
const SUFFIX = '\n})';

export type CacheUse = 'used' | 'rejected' | 'none';
const modules = new Map<string, { exports: unknown }>();
const uses = new Map<string, CacheUse>();
const scripts = new Map<string, { script: Script; id: string }>();

/** How each loaded bundle was compiled (for tests and `npm run bench`). */
export function cacheUses(): ReadonlyMap<string, CacheUse> {
  return uses;
}

export function buildIdOf(source: string): string | undefined {
  return /^\/\*duo-jira build ([0-9a-f]+)\*\//.exec(source)?.[1];
}

export function cachePath(file: string): string {
  return `${file}.cache`;
}

function readCache(file: string, id: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(cachePath(file));
  } catch {
    return undefined;
  }
  const head = `${id}\n`;
  return data.toString('latin1', 0, head.length) === head ? data.subarray(head.length) : undefined;
}

/** Load a bundle once (later calls return the same exports), compiled from its cache when it fits. */
export function load(file: string): unknown {
  const known = modules.get(file);
  if (known) return known.exports;
  const source = readFileSync(file, 'utf8');
  const id = buildIdOf(source);
  const cachedData = id === undefined ? undefined : readCache(file, id);
  const script = new Script(PREFIX + source + SUFFIX, { filename: file, cachedData });
  uses.set(file, cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used');
  if (id !== undefined) scripts.set(file, { script, id });
  const module = { exports: {} as unknown };
  modules.set(file, module);
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, requireFor(file), module, file, dirname(file));
  return module.exports;
}

/** Bundles require each other by relative path (through this loader) and Node's builtins (natively). */
function requireFor(file: string): (id: string) => unknown {
  let native: NodeRequire | undefined;
  return (id) => (id.startsWith('.') ? load(resolve(dirname(file), id)) : (native ??= createRequire(file))(id));
}

/** Build time: write the cache for a bundle that carries a build id (compiled, not run). */
export function writeCache(file: string): void {
  const source = readFileSync(file, 'utf8');
  const id = buildIdOf(source);
  if (id === undefined) throw new Error(`${file} has no build id`);
  writeCacheData(file, id, new Script(PREFIX + source + SUFFIX, { filename: file }).createCachedData());
}

/**
 * Build time, after running commands through `load`: write the caches of the bundles loaded. Made after
 * a run, a cache also holds the functions that run compiled, which a plain compile leaves for later.
 */
export function saveCaches(): string[] {
  for (const [file, { script, id }] of scripts) writeCacheData(file, id, script.createCachedData());
  return [...scripts.keys()];
}

function writeCacheData(file: string, id: string, data: Buffer): void {
  const tmp = `${cachePath(file)}.tmp`;
  writeFileSync(tmp, Buffer.concat([Buffer.from(`${id}\n`, 'latin1'), data]));
  renameSync(tmp, cachePath(file));
}

/** bin/duo-jira.js: run the CLI from the bundles in `dist`. */
export function run(dist: string, argv: string[]): void {
  const cli = load(join(dist, 'cli.cjs')) as { main(argv: string[]): Promise<number> };
  void cli.main(argv).then((code) => {
    process.exitCode = code;
  });
}
