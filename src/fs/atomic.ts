// Crash-safe file replacement: write a temp file next to the target, fsync, give it the target's mode and
// owner, rename over the target, fsync the directory. A reader sees the old file or the new one, never half.
import { randomBytes } from 'node:crypto';
import fsSync, { constants } from 'node:fs';
import { quickFs as fs } from './quick.js';
import { basename, dirname, join } from 'node:path';

export interface Ownership {
  mode: number;
  uid: number;
  gid: number;
}

export async function statOwnership(path: string): Promise<Ownership | undefined> {
  try {
    const st = await fs.stat(path);
    return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const tempName = (path: string, id: string) => `.${basename(path)}.duo-jira-${id}.tmp`;

// Synchronous calls inside: the CLI does one thing at a time, and a thread-pool round trip per call
// costs more than the call itself for these small files (bench/).
export async function writeAtomic(linkOrPath: string, content: Uint8Array, own: Ownership, opts: { syncDir?: boolean } = {}): Promise<void> {
  const path = followLinks(linkOrPath);
  const tmp = join(dirname(path), tempName(path, randomBytes(4).toString('hex')));
  // Created 0600 so a secret never sits in a world-readable temp file, then given the intended mode.
  const fd = fsSync.openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    fsSync.writeFileSync(fd, content);
    chownIfPossible(fd, own);
    fsSync.fchmodSync(fd, own.mode);
    fsSync.fsyncSync(fd);
  } catch (e) {
    fsSync.closeSync(fd);
    fsSync.rmSync(tmp, { force: true });
    throw e;
  }
  fsSync.closeSync(fd);
  try {
    fsSync.renameSync(tmp, path);
  } catch (e) {
    fsSync.rmSync(tmp, { force: true });
    throw e;
  }
  if (opts.syncDir !== false) await syncDir(dirname(path));
}

/** A new file written and fsynced before returning (checkpoint backups: recovery depends on them). */
export async function writeDurable(path: string, content: Uint8Array, mode: number): Promise<void> {
  const fd = fsSync.openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    fsSync.writeFileSync(fd, content);
    fsSync.fsyncSync(fd);
  } finally {
    fsSync.closeSync(fd);
  }
}

/**
 * Where a write really goes: an admin who keeps web.xml as a symlink (to /etc, to configuration
 * management) keeps the link; the file it points to is replaced. A path that does not exist is itself.
 */
export function followLinks(path: string): string {
  try {
    return fsSync.realpathSync(path);
  } catch {
    return path;
  }
}

/** Delete the temp files a writeAtomic of `path` killed before its rename left behind (they may hold secrets). */
export async function removeStaleTemps(linkOrPath: string): Promise<void> {
  const path = followLinks(linkOrPath);
  const prefix = tempName(path, '').slice(0, -'.tmp'.length);
  const names = await fs.readdir(dirname(path)).catch(() => [] as string[]);
  for (const n of names) {
    if (n.startsWith(prefix) && /^[0-9a-f]{8}\.tmp$/.test(n.slice(prefix.length))) await fs.rm(join(dirname(path), n), { force: true });
  }
}

export async function removeDurably(path: string, opts: { syncDir?: boolean } = {}): Promise<void> {
  fsSync.rmSync(path, { force: true });
  if (opts.syncDir !== false) await syncDir(dirname(path));
}

function chownIfPossible(fd: number, own: Ownership): void {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  // Only root can give a file away; a non-root run already owns what it creates.
  if (uid === 0) fsSync.fchownSync(fd, own.uid, own.gid);
  else if (own.gid !== process.getgid?.()) {
    try { fsSync.fchownSync(fd, uid, own.gid); } catch { /* not a member of that group: keep ours */ }
  }
}

export async function syncDir(dir: string): Promise<void> {
  let fd: number;
  try { fd = fsSync.openSync(dir, 'r'); } catch { return; }
  try { fsSync.fsyncSync(fd); } catch { /* some filesystems refuse fsync on directories */ } finally { fsSync.closeSync(fd); }
}
