// Reading a duo_jira release from an unzipped folder (its root or etc/) or from the release zip, where entries
// are matched by base name and read into memory only: a crafted entry can never be written anywhere.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/artifacts.js';
import { EXIT, EnvironmentError } from '../../src/errors.js';
import { RELEASE_URL, readRelease } from '../../src/fs/read-artifacts.js';
import { makeTree, snapshot, withTempDir } from '../support/tree.js';

function jarBytes(tag: string): Uint8Array {
  return zipSync({ 'META-INF/MANIFEST.MF': strToU8(`Manifest-Version: 1.0\nX-Tag: ${tag}\n`) }, { mtime: new Date('2020-01-01T00:00:00Z') });
}
const LIB = ['DuoWeb-1.3.jar', 'duo-client-0.3.0.jar', 'duo-filter-1.4.3.jar'];
const ALL = [...LIB, 'duo-twofactor-1.4.3.jar'];
const jarsAt = (prefix: string, names = ALL) => Object.fromEntries(names.map((n) => [`${prefix}${n}`, jarBytes(n)]));
const TOP = 'duosecurity-duo_jira-1a2b3c4/';

async function zipFile(dir: string, entries: Zippable, name = 'duo_jira.zip'): Promise<string> {
  const path = join(dir, name);
  await fs.writeFile(path, zipSync(entries));
  return path;
}

async function err(p: Promise<unknown>): Promise<EnvironmentError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(EnvironmentError);
  expect((e as EnvironmentError).exitCode).toBe(EXIT.environment);
  return e as EnvironmentError;
}

function expectRelease(r: Awaited<ReturnType<typeof readRelease>>): void {
  expect(r.errors).toEqual([]);
  expect(r.libJars.map((j) => j.name)).toEqual(LIB);
  for (const j of r.libJars) expect(j.sha256).toBe(sha256(jarBytes(j.name)));
  expect(r.addon?.name).toBe('duo-twofactor-1.4.3.jar');
  expect(r.warnings).toHaveLength(4); // test builds are not the official ones
}

describe('readRelease: an unzipped release', () => {
  it('the release root with an etc/ folder: reads etc/', async () => {
    const dir = await makeTree({ 'rel/README.md': '# duo_jira', 'rel/src/Foo.java': 'x', ...jarsAt('rel/etc/') });
    const r = await readRelease('rel', dir);
    expectRelease(r);
    expect(r).toMatchObject({ source: join(dir, 'rel'), base: join(dir, 'rel/etc'), ignored: [] });
  });

  it('the etc/ folder itself', async () => {
    const dir = await makeTree(jarsAt('rel/etc/'));
    const r = await readRelease(join(dir, 'rel/etc'), '/somewhere/else');
    expectRelease(r);
    expect(r.base).toBe(join(dir, 'rel/etc'));
  });

  it('a folder holding the jars directly', async () => {
    const dir = await makeTree({ ...jarsAt('jars/'), 'jars/duo-clientx.jar': 'x', 'jars/notes.txt': 'x' });
    const r = await readRelease('./jars', dir);
    expectRelease(r);
    expect(r.base).toBe(join(dir, 'jars'));
  });

  it('no --artifacts: ./etc when present', async () => {
    const dir = await makeTree(jarsAt('etc/'));
    const r = await readRelease(undefined, dir);
    expectRelease(r);
    expect(r.source).toBe(join(dir, 'etc'));
  });

  it('no --artifacts and no ./etc: an error saying where to get the release', async () => {
    const dir = await makeTree({ 'duo-filter-1.4.3.jar': jarBytes('x'), 'etc': 'a file, not a folder' });
    const e = await err(readRelease(undefined, dir));
    expect(e.message).toContain('./etc');
    expect(e.hint).toContain(RELEASE_URL);
    expect(e.hint).toContain('--artifacts');
  });

  it('a path that does not exist: an error naming it and the release URL', async () => {
    const dir = await withTempDir();
    const e = await err(readRelease('nope.zip', dir));
    expect(e.message).toContain(join(dir, 'nope.zip'));
    expect(e.hint).toContain(RELEASE_URL);
  });

  it('an incomplete or ambiguous release: one error listing every problem', async () => {
    const dir = await makeTree({ ...jarsAt('etc/', ['DuoWeb-1.3.jar', 'duo-filter-1.4.3.jar', 'duo-filter-1.3.7.jar']), 'etc/duo-twofactor-1.4.3.jar': '<html>' });
    const e = await err(readRelease(undefined, dir));
    expect(e.message).toContain('is not usable');
    expect(e.message).toContain('has no duo-client-<version>.jar');
    expect(e.message).toContain('holds 2 duo-filter jars');
    expect(e.message).toContain('duo-twofactor-1.4.3.jar in');
    expect(e.message).toContain('is not a jar (zip) file');
    expect(e.hint).toContain(RELEASE_URL);
  });
});

describe('readRelease: the release zip', () => {
  it('GitHub\'s layout: one top folder with etc/*.jar (other files and deeper jars not picked up)', async () => {
    const dir = await withTempDir();
    const zip = await zipFile(dir, {
      [`${TOP}README.md`]: strToU8('# duo_jira'),
      [`${TOP}src/main/java/Filter.java`]: strToU8('class Filter {}'),
      [`${TOP}src/test/resources/duo-filter-0.0.1.jar`]: jarBytes('test fixture'),
      ...jarsAt(`${TOP}etc/`),
    });
    const r = await readRelease(zip, '/');
    expectRelease(r);
    expect(r).toMatchObject({ source: zip, base: zip, ignored: [] });
    expect(await fs.readdir(dir)).toEqual(['duo_jira.zip']); // nothing extracted
  });

  it('jars at the zip root, or under etc/ without a top folder', async () => {
    const dir = await withTempDir();
    expectRelease(await readRelease(await zipFile(dir, jarsAt(''), 'flat.zip'), dir));
    expectRelease(await readRelease(await zipFile(dir, jarsAt('etc/'), 'etc.zip'), dir));
  });

  it('a zip without the jars is not usable', async () => {
    const dir = await withTempDir();
    const e = await err(readRelease(await zipFile(dir, { 'README.md': strToU8('x') }), dir));
    expect(e.message).toContain('has no DuoWeb-<version>.jar');
  });

  it('path-traversal and absolute entries are never written anywhere, never used, and are reported in `ignored`', async () => {
    const root = await withTempDir();
    const cwd = join(root, 'a/b/c');
    await fs.mkdir(cwd, { recursive: true });
    const evil = jarBytes('evil');
    const zip = await zipFile(cwd, {
      ...jarsAt(`${TOP}etc/`),
      '../../evil/duo-filter-9.jar': evil,
      [`${TOP}../duo-client-9.jar`]: evil,
      '../DuoWeb-9.jar': evil,
      '/tmp/duo-filter-9.jar': evil,
      '/duo-client-9.jar': evil,
      '..\\..\\evil\\duo-filter-8.jar': evil,
      'C:/DuoWeb-7.jar': evil,
      'C:\\evil\\duo-client-7.jar': evil,
    });
    const before = await snapshot(root);
    const r = await readRelease(zip, cwd);

    expectRelease(r); // the evil jars neither replace nor clash with the real ones
    expect([...r.libJars, r.addon].some((j) => j && sha256(j.bytes) === sha256(evil))).toBe(false);
    expect(r.ignored.sort()).toEqual(
      ['../../evil/duo-filter-9.jar', `${TOP}../duo-client-9.jar`, '../DuoWeb-9.jar', '/tmp/duo-filter-9.jar', '/duo-client-9.jar', '..\\..\\evil\\duo-filter-8.jar', 'C:/DuoWeb-7.jar', 'C:\\evil\\duo-client-7.jar'].sort(),
    );
    expect(await snapshot(root)).toEqual(before);
    for (const p of [join(root, 'a/evil'), join(root, 'a/b/DuoWeb-9.jar'), '/tmp/duo-filter-9.jar', '/duo-client-9.jar']) {
      await expect(fs.access(p), p).rejects.toMatchObject({ code: 'ENOENT' });
    }
  });

  it('an entry declaring more than 64 MiB is skipped without being inflated, and reported', async () => {
    const dir = await withTempDir();
    const data = zipSync({ ...jarsAt(`${TOP}etc/`, LIB), [`${TOP}etc/duo-twofactor-1.4.3.jar`]: jarBytes('big') });
    // Rewrite the uncompressed size in that entry's central-directory record to 64 MiB + 1.
    const buf = Buffer.from(data);
    const name = Buffer.from(`${TOP}etc/duo-twofactor-1.4.3.jar`);
    let patchedAt = -1;
    for (let i = buf.indexOf(Buffer.from([0x50, 0x4b, 1, 2])); i >= 0; i = buf.indexOf(Buffer.from([0x50, 0x4b, 1, 2]), i + 4)) {
      if (buf.subarray(i + 46, i + 46 + buf.readUInt16LE(i + 28)).equals(name)) patchedAt = i;
    }
    expect(patchedAt).toBeGreaterThan(0);
    buf.writeUInt32LE(64 * 1024 * 1024 + 1, patchedAt + 24);
    const zip = join(dir, 'big.zip');
    await fs.writeFile(zip, buf);
    const r = await readRelease(zip, dir);
    expect(r.ignored).toEqual([`${TOP}etc/duo-twofactor-1.4.3.jar`]);
    expect(r.addon).toBeUndefined();
    expect(r.libJars.map((j) => j.name)).toEqual(LIB);
  });

  it.each<[string, string | Uint8Array]>([
    ['an HTML page saved as .zip', '<html><body>404</body></html>'],
    ['an empty file', ''],
    ['a truncated zip', Buffer.from(zipSync(jarsAt(`${TOP}etc/`))).subarray(0, 200)],
  ])('%s → EnvironmentError (exit 3) saying it is not a readable zip', async (_n, content) => {
    const dir = await makeTree({ 'duo_jira.zip': content });
    const e = await err(readRelease('duo_jira.zip', dir));
    expect(e.message).toContain(`${join(dir, 'duo_jira.zip')} is not a readable zip file`);
    expect(e.hint).toContain(RELEASE_URL);
  });
});
