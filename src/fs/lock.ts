// One duo-jira run per Jira installation at a time. The lock file names its holder; a lock whose process
// is gone (killed run, reboot) is taken over rather than blocking the admin.
import { createHash, randomBytes } from 'node:crypto';
import { quickFs as fs } from './quick.js';
import { hostname } from 'node:os';
import { EnvironmentError } from '../errors.js';

interface LockInfo { pid: number; host: string; startedAt: string; command: string }

export interface Lock { release(): Promise<void>; tookOver?: LockInfo }

export async function acquireLock(path: string, command: string, now: Date): Promise<Lock> {
  const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: now.toISOString(), command };
  let tookOver: LockInfo | undefined;
  for (let attempt = 0; attempt < 4; attempt++) {
    // Written in full to a private file, then hard-linked into place (fails if the lock exists): another run
    // never sees a lock half-written, which it would take for a stale one.
    const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(info), { mode: 0o600, flag: 'wx' });
    try {
      await fs.link(tmp, path);
      return { tookOver, release: () => fs.rm(path, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      await fs.rm(tmp, { force: true });
    }
    const raw = await fs.readFile(path, 'utf8').catch(() => undefined);
    if (raw === undefined) continue; // released meanwhile: try again
    const holder = parseLock(raw);
    if (holder && isAlive(holder)) {
      throw new EnvironmentError(
        `Another duo-jira run (${holder.command}, pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}) is working on this Jira.`,
        `Wait for it to finish. If that process no longer exists, remove ${path}.`,
      );
    }
    // Take over a stale lock only while holding a marker named after its content: of the runs that judged
    // this same lock stale, exactly one may delete it, and only if it is still that lock.
    const marker = `${path}.takeover-${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
    const marked = await fs.writeFile(marker, '', { mode: 0o600, flag: 'wx' }).then(
      () => true,
      (e: NodeJS.ErrnoException) => { if (e.code === 'EEXIST') return false; throw e; },
    );
    if (!marked) {
      await new Promise((r) => setTimeout(r, 25)); // another run is taking this one over: see who won
      continue;
    }
    try {
      if ((await fs.readFile(path, 'utf8').catch(() => undefined)) === raw) {
        await fs.rm(path, { force: true });
        tookOver = holder;
      }
    } finally {
      await fs.rm(marker, { force: true });
    }
  }
  throw new EnvironmentError(
    `Could not take the lock ${path}.`,
    `Another run keeps taking it; try again. If no other duo-jira run is going on, remove ${path} and ${path}.takeover-*.`,
  );
}

function parseLock(raw: string): LockInfo | undefined {
  try {
    return JSON.parse(raw) as LockInfo;
  } catch {
    return undefined; // unreadable: treat as stale
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
