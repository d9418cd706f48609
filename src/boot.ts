// Loads the bundles in dist/ (CommonJS) with V8's code cache, which the build writes next to each bundle.
// A run spends a large share of its time compiling JavaScript before doing any work; with the cache V8
// deserializes the compiled code instead (bench/README.md has the numbers). Node 22 offers this as
// module.enableCompileCache(); Node 20 does not, hence this small loader.
//
// The cache must never change what runs, nor stop anything from running:
// - V8 checks only its version, its flags and the source *length*: a bundle edited in place with the same
//   length would run the cached old code. Release V8 does not checksum the data either: a damaged cache
//   crashes the process (SIGTRAP), which would take `duo-jira disable`, the way back in, down with it.
//   So each cache file carries a SHA-256 of the bundle's source and of the data, and only data whose hash
//   matches is handed to V8. Anything else (no cache, another build, damage, DUO_JIRA_NO_CODE_CACHE=1)
//   means a normal compile.
// - V8 keeps the script name a cache was made under, so stack traces would show the build machine's
//   paths: every bundle is compiled under a name that does not depend on where it is installed.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { Script } from 'node:vm';

/** Node's own CommonJS wrapper, so bundles see exports, require, module, __filename and __dirname. */
const PREFIX = '(function (exports, require, module, __filename, __dirname) { ';
const SUFFIX = '\n})';
const MAGIC = 'duo-jira code cache 1\n';
/** MAGIC, then the hex SHA-256 of source and data, then a newline. */
const HEADER_LENGTH = MAGIC.length + 64 + 1;

export type CacheUse = 'used' | 'rejected' | 'none';
const modules = new Map<string, { exports: unknown }>();
const uses = new Map<string, CacheUse>();
const scripts = new Map<string, { script: Script; source: string }>();

/** How each loaded bundle was compiled (for tests and `npm run bench`). */
export function cacheUses(): ReadonlyMap<string, CacheUse> {
  return uses;
}

export function cachePath(file: string): string {
  return `${file}.cache`;
}

/** "duo-jira/dist/commands/install.cjs", wherever the package is installed. */
export function scriptName(file: string): string {
  const at = file.lastIndexOf(`${sep}dist${sep}`);
  return at < 0 ? file : `duo-jira/${file.slice(at + 1).split(sep).join('/')}`;
}

function digest(source: string, data: Uint8Array): string {
  return createHash('sha256').update(source).update(data).digest('hex');
}

/** The cached data for `source`, or undefined when there is none that provably belongs to it. */
function readCache(file: string, source: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(cachePath(file));
  } catch {
    return undefined;
  }
  if (bytes.length <= HEADER_LENGTH || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
  const data = bytes.subarray(HEADER_LENGTH);
  return bytes.toString('latin1', MAGIC.length, HEADER_LENGTH - 1) === digest(source, data) ? data : undefined;
}

/** Load a bundle once (later calls return the same exports), compiled from its cache when it fits. */
export function load(file: string): unknown {
  const known = modules.get(file);
  if (known) return known.exports;
  const source = readFileSync(file, 'utf8');
  const cachedData = process.env.DUO_JIRA_NO_CODE_CACHE ? undefined : readCache(file, source);
  const script = new Script(PREFIX + source + SUFFIX, { filename: scriptName(file), cachedData });
  uses.set(file, cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used');
  scripts.set(file, { script, source });
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

/** Build time: write the cache for a bundle from a plain compile (not run). */
export function writeCache(file: string): void {
  const source = readFileSync(file, 'utf8');
  writeCacheData(file, source, new Script(PREFIX + source + SUFFIX, { filename: scriptName(file) }).createCachedData());
}

/**
 * Build time, after running commands through `load`: write the caches of the bundles loaded. Made after
 * a run, a cache also holds the functions that run compiled, which a plain compile leaves for later.
 */
export function saveCaches(): string[] {
  for (const [file, { script, source }] of scripts) writeCacheData(file, source, script.createCachedData());
  return [...scripts.keys()];
}

function writeCacheData(file: string, source: string, data: Buffer): void {
  const tmp = `${cachePath(file)}.tmp`;
  writeFileSync(tmp, Buffer.concat([Buffer.from(`${MAGIC}${digest(source, data)}\n`, 'latin1'), data]));
  renameSync(tmp, cachePath(file));
}

/** bin/duo-jira.js: run the CLI from the bundles in `dist`. */
export function run(dist: string, argv: string[]): void {
  // Should main's promise never settle, the process must not end as a success (an ES module entry
  // awaiting it exited 13); main's result replaces this.
  process.exitCode = 1;
  const cli = load(join(dist, 'cli.cjs')) as { main(argv: string[]): Promise<number> };
  void cli.main(argv).then((code) => {
    process.exitCode = code;
  });
}
