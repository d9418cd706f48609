// Issue #2 "done when", on the real public web.xml files in ../shared/fixtures/webxml, read in place.
// Skips cleanly when ../shared is absent (it is never copied into the repo).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, installArgs, KEYS, REPO, snapshotTree, tempJira, type TempJira } from '../support/cli.js';

const SHARED = resolve(REPO, '../shared/fixtures/webxml');
const files = existsSync(SHARED) ? readdirSync(SHARED).filter((f) => f.endsWith('.xml')) : [];
let t: TempJira;
afterEach(() => t?.cleanup());

function withShared(file: string): TempJira {
  const tj = tempJira('jira-7');
  writeFileSync(tj.webXml, readFileSync(join(SHARED, file)));
  mkdirSync(tj.lib, { recursive: true });
  return tj;
}

/** Names of <filter>/<filter-mapping> blocks in file order, comments removed. */
function order(xml: string, el: string): string[] {
  const body = xml.replace(/<!--[\s\S]*?-->/g, '');
  return [...body.matchAll(new RegExp(`<${el}>\\s*<filter-name>\\s*([^<]*?)\\s*</filter-name>`, 'g'))].map((m) => m[1]!);
}

describe.skipIf(files.length === 0)('real web.xml files from ../shared/fixtures/webxml', () => {
  it.each(files)('%s: install, re-install, uninstall, dry-run, bad ikey', async (file) => {
    t = withShared(file);
    const original = readFileSync(t.webXml);
    const pristine = snapshotTree(t.dir);
    const env = { DUO_SKEY: KEYS.skey };

    const dry = await cli(t, [...installArgs(t), '--dry-run'], { env });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(snapshotTree(t.dir)).toEqual(pristine);

    const bad = await cli(t, installArgs(t).map((a) => (a === KEYS.ikey ? 'DIXXXXXXXXXXXXXXXXX' : a)), { env });
    expect(bad.exitCode).toBe(2);
    expect(snapshotTree(t.dir)).toEqual(pristine);

    const inst = await cli(t, installArgs(t), { env });
    expect(inst.exitCode, inst.stderr).toBe(0);
    const xml = readFileSync(t.webXml, 'utf8');
    for (const el of ['filter', 'filter-mapping']) {
      const names = order(xml, el);
      expect(names[names.indexOf('security') + 1], `${file} ${el}`).toBe('duoauth');
      expect(names.filter((n) => n === 'duoauth')).toHaveLength(1);
    }
    expect(xml).toContain(`<param-value>${KEYS.ikey}</param-value>`);
    expect(xml).toContain(`<param-value>${KEYS.skey}</param-value>`);
    expect(xml).toContain(`<param-value>${KEYS.host}</param-value>`);
    const installed = readFileSync(t.webXml);

    const again = await cli(t, installArgs(t, ['--yes']), { env });
    expect(again.exitCode).toBe(0);
    expect(readFileSync(t.webXml).equals(installed)).toBe(true);

    const un = await cli(t, ['uninstall', '-d', t.dir, '--yes']);
    expect(un.exitCode, un.stderr).toBe(0);
    expect(readFileSync(t.webXml).equals(original)).toBe(true);
    expect(snapshotTree(t.dir)).toEqual(pristine);
  });
});

describe.skipIf(files.length > 0)('../shared absent', () => {
  it('skips the real-file checks', () => {
    expect(existsSync(SHARED)).toBe(false);
  });
});
