// Temp directory trees for tests: build one from a { 'relative/path': content } map, snapshot every file's
// bytes and mode to compare "before" with "after", and remove it when the test ends.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { onTestFinished } from 'vitest';

/** A file's content, or its content and mode (e.g. `{ content: '<web-app/>', mode: 0o640 }`). */
export type TreeEntry = string | Uint8Array | { content: string | Uint8Array; mode?: number };
export type TreeSpec = Record<string, TreeEntry>;

export interface FileState {
  sha256: string;
  /** Permission bits (mode & 0o7777). */
  mode: number;
}

/**
 * A fresh empty temp directory, removed when the current test finishes. Call it inside a test (or a
 * beforeEach); elsewhere (beforeAll, module scope) use `tempDir()` and `removeTree()` yourself.
 */
export async function withTempDir(prefix = 'duo-jira-test-'): Promise<string> {
  const dir = await tempDir(prefix);
  onTestFinished(() => removeTree(dir));
  return dir;
}

/** A fresh empty temp directory that the caller removes with `removeTree`. */
export async function tempDir(prefix = 'duo-jira-test-'): Promise<string> {
  return fs.mkdtemp(join(tmpdir(), prefix));
}

export async function removeTree(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

/**
 * Write `files` under `dir` (default: a new `withTempDir()`), creating parent folders, and return the dir.
 * A path ending in "/" with empty content makes an empty folder.
 */
export async function makeTree(files: TreeSpec, dir?: string): Promise<string> {
  const root = dir ?? (await withTempDir());
  for (const [rel, entry] of Object.entries(files)) {
    const path = join(root, rel);
    if (rel.endsWith('/')) {
      await fs.mkdir(path, { recursive: true });
      continue;
    }
    const { content, mode } = typeof entry === 'string' || entry instanceof Uint8Array ? { content: entry, mode: undefined } : entry;
    await fs.mkdir(dirname(path), { recursive: true });
    await fs.writeFile(path, content);
    // chmod after writing: the umask must not decide the mode a test asked for.
    if (mode !== undefined) await fs.chmod(path, mode);
  }
  return root;
}

/**
 * Every regular file (and symlink) under `dir`, keyed by its '/'-separated relative path, with the SHA-256
 * of its bytes (of its target, for a symlink: "link:<target>") and its permission bits. Sorted by path.
 */
export async function snapshot(dir: string): Promise<Map<string, FileState>> {
  const out: Array<[string, FileState]> = [];
  const walk = async (d: string): Promise<void> => {
    for (const ent of await fs.readdir(d, { withFileTypes: true })) {
      const path = join(d, ent.name);
      const rel = relative(dir, path).split(sep).join('/');
      if (ent.isDirectory()) await walk(path);
      else if (ent.isSymbolicLink()) out.push([rel, { sha256: `link:${await fs.readlink(path)}`, mode: (await fs.lstat(path)).mode & 0o7777 }]);
      else if (ent.isFile()) {
        const [bytes, st] = await Promise.all([fs.readFile(path), fs.stat(path)]);
        out.push([rel, { sha256: createHash('sha256').update(bytes).digest('hex'), mode: st.mode & 0o7777 }]);
      }
    }
  };
  await walk(dir);
  return new Map(out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
