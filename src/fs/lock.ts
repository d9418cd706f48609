// One duo-jira run per Jira installation at a time. The lock file names its holder; a lock whose process
// is gone (killed run, reboot) is taken over rather than blocking the admin.
import { constants, promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { EnvironmentError } from '../errors.js';

interface LockInfo { pid: number; host: string; startedAt: string; command: string }

export interface Lock { release(): Promise<void>; tookOver?: LockInfo }

export async function acquireLock(path: string, command: string, now: Date): Promise<Lock> {
  const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: now.toISOString(), command };
  let tookOver: LockInfo | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await fs.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      await fh.writeFile(JSON.stringify(info));
      await fh.close();
      return { tookOver, release: () => fs.rm(path, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = await readLock(path);
    if (holder && isAlive(holder)) {
      throw new EnvironmentError(
        `Another duo-jira run (${holder.command}, pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}) is working on this Jira.`,
        `Wait for it to finish. If that process no longer exists, remove ${path}.`,
      );
    }
    tookOver = holder;
    await fs.rm(path, { force: true });
  }
  throw new EnvironmentError(`Could not take the lock ${path}.`, 'Another run keeps taking it; try again.');
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await fs.readFile(path, 'utf8')) as LockInfo;
  } catch {
    return undefined; // unreadable or half-written: treat as stale
  }
}

function isAlive(l: LockInfo): boolean {
  if (l.host !== hostname()) return true; // cannot tell for another host (shared filesystem): be safe
  try {
    process.kill(l.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
