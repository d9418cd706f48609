// Crash-safe file replacement: write a temp file next to the target, fsync, give it the target's mode and
// owner, rename over the target, fsync the directory. A reader sees the old file or the new one, never half.
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
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

export async function writeAtomic(path: string, content: Uint8Array, own: Ownership): Promise<void> {
  const tmp = join(dirname(path), tempName(path, randomBytes(4).toString('hex')));
  // Created 0600 so a secret never sits in a world-readable temp file, then given the intended mode.
  const fh = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await fh.writeFile(content);
    await chownIfPossible(fh, own);
    await fh.chmod(own.mode);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => {});
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await syncDir(dirname(path));
}

/** Delete the temp files a writeAtomic of `path` killed before its rename left behind (they may hold secrets). */
export async function removeStaleTemps(path: string): Promise<void> {
  const prefix = tempName(path, '').slice(0, -'.tmp'.length);
  const names = await fs.readdir(dirname(path)).catch(() => [] as string[]);
  for (const n of names) {
    if (n.startsWith(prefix) && /^[0-9a-f]{8}\.tmp$/.test(n.slice(prefix.length))) await fs.rm(join(dirname(path), n), { force: true });
  }
}

export async function removeDurably(path: string): Promise<void> {
  await fs.rm(path, { force: true });
  await syncDir(dirname(path));
}

async function chownIfPossible(fh: fs.FileHandle, own: Ownership): Promise<void> {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  // Only root can give a file away; a non-root run already owns what it creates.
  if (uid === 0) await fh.chown(own.uid, own.gid);
  else if (own.gid !== process.getgid?.()) await fh.chown(uid, own.gid).catch(() => {});
}

export async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => {});
  await fh.close();
}
