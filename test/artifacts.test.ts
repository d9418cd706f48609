// Which release files are which jar family (exact names, never a duo-*.jar glob), picking exactly one of
// each, recognizing the official builds by hash, and what to add/replace/remove in WEB-INF/lib.
import { strToU8, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ADDON,
  LIB_FAMILIES,
  OFFICIAL,
  duoLibJars,
  familyOf,
  isZip,
  planLibJars,
  selectRelease,
  sha256,
  toJar,
  type Jar,
} from '../src/artifacts.js';

/** A small real jar (zip) whose bytes (and so hash) depend on `tag`. */
function jarBytes(tag: string): Uint8Array {
  return zipSync({ 'META-INF/MANIFEST.MF': strToU8(`Manifest-Version: 1.0\nX-Tag: ${tag}\n`) }, { mtime: new Date('2020-01-01T00:00:00Z') });
}

const RELEASE = ['DuoWeb-1.3.jar', 'duo-client-0.3.0.jar', 'duo-filter-1.4.3.jar', 'duo-twofactor-1.4.3.jar'];
const files = (names: string[]) => names.map((name) => ({ name, bytes: jarBytes(name) }));

/** Make `bytes` count as an official build for the duration of the test (the real table lists hashes we cannot forge). */
const patched: string[] = [];
function markOfficial(bytes: Uint8Array, label: string): void {
  const h = sha256(bytes);
  OFFICIAL[h] = label;
  patched.push(h);
}
afterEach(() => {
  for (const h of patched.splice(0)) delete OFFICIAL[h];
});

describe('familyOf: exact family names only', () => {
  it.each([
    ['DuoWeb-1.3.jar', 'DuoWeb', '1.3'],
    ['duo-client-0.3.0.jar', 'duo-client', '0.3.0'],
    ['duo-client-0.2.1.jar', 'duo-client', '0.2.1'],
    ['duo-filter-1.4.3.jar', 'duo-filter', '1.4.3'],
    ['duo-filter-1.3.7.jar', 'duo-filter', '1.3.7'],
    ['duo-filter-1.4.4-SNAPSHOT.jar', 'duo-filter', '1.4.4-SNAPSHOT'],
    ['duo-twofactor-1.4.3.jar', 'duo-twofactor', '1.4.3'],
  ])('%s → %s %s', (name, family, version) => {
    expect(familyOf(name)).toEqual({ family, version });
  });

  it.each([
    'duo-clientx.jar',
    'duo-foo-1.jar',
    'duo-client.jar',
    'duo-client-.jar',
    'duo-client-x1.jar',
    'duo-client-0.3.0.jar.bak',
    'duo-client-0.3.0.zip',
    'xduo-client-0.3.0.jar',
    'DUO-CLIENT-0.3.0.JAR',
    'duoweb-1.3.jar',
    'DuoWeb.jar',
    'duo-filter-1.4.3 (1).jar',
    'etc/duo-filter-1.4.3.jar',
    '../duo-filter-1.4.3.jar',
    'duo-twofactor.jar',
    'jira-core-9.12.0.jar',
    '',
  ])('%j is not a Duo jar', (name) => {
    expect(familyOf(name)).toBeUndefined();
    expect(toJar(name, jarBytes(name))).toBeUndefined();
  });

  it('the add-on (duo-twofactor) is a family but never a WEB-INF/lib jar', () => {
    expect(LIB_FAMILIES.map((f) => f.id)).toEqual(['DuoWeb', 'duo-client', 'duo-filter']);
    expect(ADDON.id).toBe('duo-twofactor');
    const lib = ['duo-twofactor-1.4.3.jar', 'duo-client-0.3.0.jar', 'duo-clientx.jar', 'duo-foo-1.jar', 'DuoWeb-1.3.jar', 'duo-filter-1.3.7.jar', 'jira-core.jar'];
    expect(duoLibJars(lib.map((name) => ({ name, sha256: 'x' })))).toEqual(['duo-client-0.3.0.jar', 'DuoWeb-1.3.jar', 'duo-filter-1.3.7.jar']);
  });
});

describe('toJar / OFFICIAL', () => {
  it('an unknown build has no `official`; a build whose hash is in OFFICIAL is recognized', () => {
    const bytes = jarBytes('custom');
    const j = toJar('duo-filter-1.4.3.jar', bytes)!;
    expect(j).toMatchObject({ name: 'duo-filter-1.4.3.jar', family: 'duo-filter', version: '1.4.3', sha256: sha256(bytes) });
    expect(j.official).toBeUndefined();
    markOfficial(bytes, 'duo-filter-1.4.3.jar (test)');
    expect(toJar('duo-filter-1.4.3.jar', bytes)!.official).toBe('duo-filter-1.4.3.jar (test)');
  });

  it('the official table is well-formed: lowercase SHA-256 keys, each naming one file of a known family', () => {
    const entries = Object.entries(OFFICIAL);
    expect(entries.length).toBeGreaterThanOrEqual(7);
    for (const [hash, label] of entries) {
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      const file = label.split(' ')[0]!;
      expect(familyOf(file), label).toBeDefined();
    }
    // One entry per official file name.
    const names = entries.map(([, l]) => l.split(' ')[0]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('sha256 is the hex SHA-256 of the bytes', () => {
    expect(sha256(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256(strToU8('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('isZip', () => {
  it.each<[string, Uint8Array, boolean]>([
    ['a real zip', jarBytes('x'), true],
    ['an empty zip', zipSync({}), true],
    ['local header signature', Uint8Array.from([0x50, 0x4b, 3, 4]), true],
    ['too short', Uint8Array.from([0x50, 0x4b, 3]), false],
    ['empty', new Uint8Array(), false],
    ['text', strToU8('<html>404 Not Found</html>'), false],
    ['gzip', Uint8Array.from([0x1f, 0x8b, 8, 0]), false],
    ['PK then junk', Uint8Array.from([0x50, 0x4b, 9, 9]), false],
  ])('%s → %s', (_n, bytes, want) => {
    expect(isZip(bytes)).toBe(want);
  });
});

describe('selectRelease', () => {
  it('a complete release: one jar per family (in family order), the add-on, unofficial-build warnings', () => {
    const sel = selectRelease([...files(RELEASE.slice().reverse()), { name: 'README.md', bytes: strToU8('hi') }], '/rel/etc');
    expect(sel.errors).toEqual([]);
    expect(sel.libJars.map((j) => j.name)).toEqual(['DuoWeb-1.3.jar', 'duo-client-0.3.0.jar', 'duo-filter-1.4.3.jar']);
    expect(sel.addon?.name).toBe('duo-twofactor-1.4.3.jar');
    expect(sel.warnings).toHaveLength(4);
    for (const name of RELEASE) {
      const w = sel.warnings.find((x) => x.startsWith(name));
      expect(w, name).toContain('not an official duo_jira release build');
      expect(w).toContain(sha256(jarBytes(name)).slice(0, 12));
    }
  });

  it('official builds (recognized by hash) give no warning', () => {
    const fs = files(RELEASE);
    for (const f of fs) markOfficial(f.bytes, `${f.name} (test)`);
    const sel = selectRelease(fs, '/rel');
    expect(sel).toMatchObject({ errors: [], warnings: [] });
    expect(sel.libJars.every((j) => j.official === `${j.name} (test)`)).toBe(true);
  });

  it('only the unofficial one is warned about', () => {
    const fs = files(RELEASE);
    for (const f of fs.slice(1)) markOfficial(f.bytes, f.name);
    expect(selectRelease(fs, '/rel').warnings).toEqual([expect.stringMatching(/^DuoWeb-1\.3\.jar is not an official/)]);
  });

  it('near-miss names are not picked up (so they neither count nor clash)', () => {
    const sel = selectRelease(files([...RELEASE, 'duo-clientx.jar', 'duo-foo-1.jar', 'duo-client.jar', 'DUO-FILTER-1.4.3.JAR']), '/rel');
    expect(sel.errors).toEqual([]);
    expect(sel.libJars.map((j) => j.name)).toEqual(['DuoWeb-1.3.jar', 'duo-client-0.3.0.jar', 'duo-filter-1.4.3.jar']);
  });

  it.each(['DuoWeb', 'duo-client', 'duo-filter'])('a missing %s jar is an error naming the release', (id) => {
    const sel = selectRelease(files(RELEASE.filter((n) => !n.startsWith(`${id}-`))), '/opt/duo_jira/etc');
    expect(sel.errors).toEqual([`/opt/duo_jira/etc has no ${id}-<version>.jar`]);
    expect(sel.libJars.map((j) => j.family)).not.toContain(id);
  });

  it('an empty release lists every missing library family (the add-on is optional)', () => {
    const sel = selectRelease([], '/rel');
    expect(sel.errors).toEqual(['/rel has no DuoWeb-<version>.jar', '/rel has no duo-client-<version>.jar', '/rel has no duo-filter-<version>.jar']);
    expect(sel.addon).toBeUndefined();
  });

  it('no add-on is fine', () => {
    const sel = selectRelease(files(RELEASE.slice(0, 3)), '/rel');
    expect(sel.errors).toEqual([]);
    expect(sel.addon).toBeUndefined();
  });

  it('two jars of one family is an error listing both (and not also "missing")', () => {
    const sel = selectRelease(files([...RELEASE, 'duo-client-0.2.1.jar']), '/rel');
    expect(sel.errors).toEqual(['/rel holds 2 duo-client jars (duo-client-0.3.0.jar, duo-client-0.2.1.jar); keep only the one to install']);
    expect(sel.libJars.map((j) => j.name)).toEqual(['DuoWeb-1.3.jar', 'duo-filter-1.4.3.jar']);
  });

  it('two add-ons is an error too', () => {
    const sel = selectRelease(files([...RELEASE, 'duo-twofactor-1.4.2.jar']), '/rel');
    expect(sel.errors).toEqual([expect.stringContaining('holds 2 duo-twofactor jars (duo-twofactor-1.4.3.jar, duo-twofactor-1.4.2.jar)')]);
    expect(sel.addon).toBeUndefined();
  });

  it('a "jar" that is not a zip (an HTML error page saved as .jar) is an error, not a warning', () => {
    const fs = files(RELEASE);
    fs[2] = { name: 'duo-filter-1.4.3.jar', bytes: strToU8('<html>rate limited</html>') };
    fs[3] = { name: 'duo-twofactor-1.4.3.jar', bytes: new Uint8Array() };
    const sel = selectRelease(fs, '/rel');
    expect(sel.errors).toEqual(['duo-filter-1.4.3.jar in /rel is not a jar (zip) file', 'duo-twofactor-1.4.3.jar in /rel is not a jar (zip) file']);
    expect(sel.warnings.some((w) => w.startsWith('duo-filter') || w.startsWith('duo-twofactor'))).toBe(false);
  });
});

describe('planLibJars', () => {
  const wanted = (names: string[]): Jar[] => names.map((n) => toJar(n, jarBytes(n))!);
  const want = wanted(['DuoWeb-1.3.jar', 'duo-client-0.3.0.jar', 'duo-filter-1.4.3.jar']);
  const lib = (entries: Array<[string, string?]>) => entries.map(([name, tag]) => ({ name, sha256: sha256(jarBytes(tag ?? name)) }));

  it('an empty lib: add all three', () => {
    const c = planLibJars(lib([['jira-core-9.jar']]), want);
    expect(c.add.map((j) => j.name)).toEqual(['DuoWeb-1.3.jar', 'duo-client-0.3.0.jar', 'duo-filter-1.4.3.jar']);
    expect(c).toMatchObject({ replace: [], remove: [], unchanged: [] });
  });

  it('already installed, same bytes: unchanged', () => {
    const c = planLibJars(lib([['DuoWeb-1.3.jar'], ['duo-client-0.3.0.jar'], ['duo-filter-1.4.3.jar']]), want);
    expect(c).toMatchObject({ add: [], replace: [], remove: [], unchanged: ['DuoWeb-1.3.jar', 'duo-client-0.3.0.jar', 'duo-filter-1.4.3.jar'] });
  });

  it('same name, different bytes: replace', () => {
    const c = planLibJars(lib([['DuoWeb-1.3.jar'], ['duo-client-0.3.0.jar', 'a rebuilt one'], ['duo-filter-1.4.3.jar']]), want);
    expect(c.replace.map((j) => j.name)).toEqual(['duo-client-0.3.0.jar']);
    expect(c.unchanged).toEqual(['DuoWeb-1.3.jar', 'duo-filter-1.4.3.jar']);
    expect(c.add).toEqual([]);
    expect(c.remove).toEqual([]);
  });

  it('an older version of a family: add the new one and remove the old (and every other of that family)', () => {
    const c = planLibJars(lib([['DuoWeb-1.3.jar'], ['duo-client-0.2.1.jar'], ['duo-filter-1.3.7.jar'], ['duo-filter-1.4.3.jar'], ['duo-filter-1.0.jar']]), want);
    expect(c.add.map((j) => j.name)).toEqual(['duo-client-0.3.0.jar']);
    expect(c.unchanged).toEqual(['DuoWeb-1.3.jar', 'duo-filter-1.4.3.jar']);
    expect(c.remove.sort()).toEqual(['duo-client-0.2.1.jar', 'duo-filter-1.0.jar', 'duo-filter-1.3.7.jar']);
    expect(c.replace).toEqual([]);
  });

  it('never touches jars outside the three families (near-misses, the add-on, Jira\'s own)', () => {
    const others: Array<[string]> = [['duo-clientx.jar'], ['duo-foo-1.jar'], ['duo-twofactor-1.4.3.jar'], ['jira-core-9.12.0.jar'], ['duo-client.jar']];
    const c = planLibJars(lib(others), want);
    expect(c.remove).toEqual([]);
    expect(c.add).toHaveLength(3);
  });

  it('wanting nothing changes nothing', () => {
    expect(planLibJars(lib([['duo-client-0.2.1.jar']]), [])).toEqual({ add: [], replace: [], remove: [], unchanged: [] });
  });
});
