// writeAtomic: replace by rename (readers see old or new, never half), keep the mode and (as root) the
// owner it is given, never leave its temp file behind.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeDurably, removeStaleTemps, statOwnership, writeAtomic } from '../../src/fs/atomic.js';
import { makeTree, snapshot, withTempDir } from '../support/tree.js';

const ME = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
const isRoot = process.getuid?.() === 0;
const modeOf = async (p: string) => (await fs.stat(p)).mode & 0o7777;

describe('writeAtomic', () => {
  it.each([0o600, 0o640, 0o644, 0o664, 0o755, 0o2750])('gives the file exactly mode %o, whatever the umask', async (mode) => {
    const dir = await withTempDir();
    const path = join(dir, 'web.xml');
    const old = process.umask(0o077);
    try {
      await writeAtomic(path, Buffer.from('new'), { mode, ...ME });
    } finally {
      process.umask(old);
    }
    expect(await fs.readFile(path, 'utf8')).toBe('new');
    expect(await modeOf(path)).toBe(mode);
  });

  it('replaces an existing file by rename: a reader holding the old file still reads all of the old bytes', async () => {
    const dir = await makeTree({ 'web.xml': { content: 'old content', mode: 0o640 } });
    const path = join(dir, 'web.xml');
    const before = await fs.stat(path);
    const reader = await fs.open(path, 'r');
    try {
      await writeAtomic(path, Buffer.from('new content, longer than the old'), { mode: 0o640, ...ME });
      expect((await reader.readFile()).toString()).toBe('old content');
    } finally {
      await reader.close();
    }
    expect(await fs.readFile(path, 'utf8')).toBe('new content, longer than the old');
    expect((await fs.stat(path)).ino).not.toBe(before.ino);
    expect(await modeOf(path)).toBe(0o640);
  });

  it('leaves no temp file behind, on success or on failure', async () => {
    const dir = await makeTree({ 'web.xml': 'old' });
    const path = join(dir, 'web.xml');
    await writeAtomic(path, Buffer.from('new'), { mode: 0o644, ...ME });
    expect([...(await snapshot(dir)).keys()]).toEqual(['web.xml']);
    // An invalid mode makes it fail after the temp file exists, before the rename.
    await expect(writeAtomic(path, Buffer.from('newer'), { mode: -1, ...ME })).rejects.toThrow();
    expect([...(await snapshot(dir)).keys()]).toEqual(['web.xml']);
    expect(await fs.readFile(path, 'utf8')).toBe('new');
  });

  it('a missing folder is an error (nothing is created)', async () => {
    const dir = await withTempDir();
    await expect(writeAtomic(join(dir, 'nope', 'x'), Buffer.from('x'), { mode: 0o644, ...ME })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it.runIf(isRoot)('as root: gives the file the owner it is told (e.g. the Jira user), not root', async () => {
    const dir = await makeTree({ 'web.xml': 'old' });
    const path = join(dir, 'web.xml');
    await fs.chown(path, 2001, 2002);
    await writeAtomic(path, Buffer.from('new'), { mode: 0o640, uid: 2001, gid: 2002 });
    const st = await fs.stat(path);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([2001, 2002, 0o640]);
    // setgid survives the chown (chmod comes after it).
    await writeAtomic(path, Buffer.from('newer'), { mode: 0o2750, uid: 2001, gid: 2002 });
    expect(await modeOf(path)).toBe(0o2750);
  });

  it.runIf(!isRoot)('not root: the file stays the caller\'s own', async () => {
    const dir = await withTempDir();
    const path = join(dir, 'x');
    await writeAtomic(path, Buffer.from('x'), { mode: 0o644, uid: 0, gid: ME.gid });
    expect((await fs.stat(path)).uid).toBe(ME.uid);
  });
});

describe('statOwnership / removeDurably / removeStaleTemps', () => {
  it('statOwnership gives permission bits only, and undefined for a missing file', async () => {
    const dir = await makeTree({ a: { content: 'x', mode: 0o4751 } });
    expect(await statOwnership(join(dir, 'a'))).toEqual({ mode: 0o4751, uid: (await fs.stat(join(dir, 'a'))).uid, gid: (await fs.stat(join(dir, 'a'))).gid });
    expect(await statOwnership(join(dir, 'missing'))).toBeUndefined();
  });

  it('removeDurably removes the file and does not mind when it is already gone', async () => {
    const dir = await makeTree({ a: 'x', b: 'y' });
    await removeDurably(join(dir, 'a'));
    await removeDurably(join(dir, 'a'));
    expect(await fs.readdir(dir)).toEqual(['b']);
  });

  it('removeStaleTemps removes exactly writeAtomic\'s temp files of that path', async () => {
    const dir = await makeTree({
      'web.xml': 'x',
      '.web.xml.duo-jira-0a1b2c3d.tmp': 'half',
      '.web.xml.duo-jira-ffffffff.tmp': 'half',
      '.web.xml.duo-jira-0a1b2c3.tmp': 'not ours (7 hex)',
      '.web.xml.duo-jira-0A1B2C3D.tmp': 'not ours (upper case)',
      '.web.xml.duo-jira-0a1b2c3d.tmp.keep': 'not ours',
      '.other.xml.duo-jira-0a1b2c3d.tmp': 'another file\'s',
      '.web.xml.bak': 'admin',
    });
    await removeStaleTemps(join(dir, 'web.xml'));
    expect((await fs.readdir(dir)).sort()).toEqual(
      ['.other.xml.duo-jira-0a1b2c3d.tmp', '.web.xml.bak', '.web.xml.duo-jira-0A1B2C3D.tmp', '.web.xml.duo-jira-0a1b2c3.tmp', '.web.xml.duo-jira-0a1b2c3d.tmp.keep', 'web.xml'].sort(),
    );
    await removeStaleTemps(join(dir, 'missing-dir', 'web.xml')); // no folder: nothing to do
  });
});
