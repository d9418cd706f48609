// One duo-jira run per Jira at a time: a live holder (this or another process) blocks with its name; a lock
// left by a dead process is taken over.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { EXIT, EnvironmentError } from '../../src/errors.js';
import { acquireLock } from '../../src/fs/lock.js';
import { withTempDir } from '../support/tree.js';

const NOW = new Date('2025-03-04T05:06:07.000Z');

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  expect(r.status).toBe(0);
  return r.pid!;
}

async function lockPath(): Promise<string> {
  return join(await withTempDir(), 'lock');
}

describe('acquireLock', () => {
  it('creates a 0600 lock naming this run, and release removes it', async () => {
    const path = await lockPath();
    const lock = await acquireLock(path, 'install', NOW);
    expect(lock.tookOver).toBeUndefined();
    expect((await fs.stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await fs.readFile(path, 'utf8'))).toEqual({ pid: process.pid, host: hostname(), startedAt: NOW.toISOString(), command: 'install' });
    await lock.release();
    await expect(fs.access(path)).rejects.toMatchObject({ code: 'ENOENT' });
    await lock.release(); // twice is harmless
    // Free again.
    await (await acquireLock(path, 'uninstall', NOW)).release();
  });

  it('a second run while the first holds it → EnvironmentError (exit 3) naming the holder; the lock is untouched', async () => {
    const path = await lockPath();
    const first = await acquireLock(path, 'install', NOW);
    const held = await fs.readFile(path, 'utf8');
    const err = await acquireLock(path, 'uninstall', new Date()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as EnvironmentError).exitCode).toBe(EXIT.environment);
    const msg = (err as Error).message;
    expect(msg).toContain('install');
    expect(msg).toContain(`pid ${process.pid}`);
    expect(msg).toContain(hostname());
    expect(msg).toContain(NOW.toISOString());
    expect((err as EnvironmentError).hint).toContain(path);
    expect(await fs.readFile(path, 'utf8')).toBe(held);
    await first.release();
  });

  it('a lock held by another live process blocks; once that process is gone, it is taken over', async () => {
    const path = await lockPath();
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    onTestFinished(() => { child.kill('SIGKILL'); });
    const holder = { pid: child.pid!, host: hostname(), startedAt: '2025-01-01T00:00:00.000Z', command: 'disable' };
    await fs.writeFile(path, JSON.stringify(holder), { mode: 0o600 });

    const err = await acquireLock(path, 'install', NOW).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toContain(`disable, pid ${child.pid}`);

    child.kill('SIGKILL');
    await exited;
    const lock = await acquireLock(path, 'install', NOW);
    expect(lock.tookOver).toEqual(holder);
    expect(JSON.parse(await fs.readFile(path, 'utf8'))).toMatchObject({ pid: process.pid, command: 'install' });
    await lock.release();
  });

  it('a stale lock from a dead pid is taken over and reported', async () => {
    const path = await lockPath();
    const stale = { pid: deadPid(), host: hostname(), startedAt: '2024-12-31T23:59:59.000Z', command: 'install' };
    await fs.writeFile(path, JSON.stringify(stale));
    const lock = await acquireLock(path, 'enable', NOW);
    expect(lock.tookOver).toEqual(stale);
    expect(JSON.parse(await fs.readFile(path, 'utf8'))).toMatchObject({ pid: process.pid, command: 'enable' });
    expect((await fs.stat(path)).mode & 0o777).toBe(0o600);
    await lock.release();
  });

  it('a lock from another host is never assumed dead (shared filesystem)', async () => {
    const path = await lockPath();
    await fs.writeFile(path, JSON.stringify({ pid: deadPid(), host: `not-${hostname()}`, startedAt: NOW.toISOString(), command: 'install' }));
    const err = await acquireLock(path, 'install', NOW).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toContain(`not-${hostname()}`);
  });

  it('an unreadable (garbage) lock file is treated as stale', async () => {
    const path = await lockPath();
    await fs.writeFile(path, '{"pid": 12');
    const lock = await acquireLock(path, 'install', NOW);
    expect(lock.tookOver).toBeUndefined();
    expect(JSON.parse(await fs.readFile(path, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  // Racing runs in one process interleave their file operations freely (libuv's thread pool), which is
  // enough to hit the windows between "create the lock file" and "write who holds it", and between
  // "judge a lock stale" and "delete it".
  it('many runs racing for a free lock: exactly one gets it, and no temp file is left', async () => {
    for (let round = 0; round < 30; round++) {
      const path = await lockPath();
      const results = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => acquireLock(path, `run-${i}`, NOW)));
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(EnvironmentError);
      // And the file names the winner.
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      expect(JSON.parse(await fs.readFile(path, 'utf8')).command).toBe(`run-${winner}`);
      expect(await fs.readdir(dirname(path))).toEqual(['lock']);
    }
  });

  it('many runs racing for a stale lock: exactly one takes it over; the others name the winner', async () => {
    const dead = deadPid();
    for (let round = 0; round < 30; round++) {
      const path = await lockPath();
      await fs.writeFile(path, JSON.stringify({ pid: dead, host: hostname(), startedAt: NOW.toISOString(), command: 'install' }));
      const results = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => acquireLock(path, `run-${i}`, NOW)));
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(EnvironmentError);
      expect(JSON.parse(await fs.readFile(path, 'utf8')).command).toBe(`run-${won[0]}`);
      expect(await fs.readdir(dirname(path))).toEqual(['lock']);
    }
  });

  it('a takeover marker left by a run killed while taking over → a clear error, never two holders', async () => {
    const path = await lockPath();
    const stale = JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: NOW.toISOString(), command: 'install' });
    await fs.writeFile(path, stale);
    await fs.writeFile(`${path}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`, '');
    const err = await acquireLock(path, 'install', NOW).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as EnvironmentError).hint).toContain(`${path}.takeover-*`);
    expect(await fs.readFile(path, 'utf8')).toBe(stale);
  });
});
