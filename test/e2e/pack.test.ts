// `npm pack` gives a tarball that runs with no TypeScript tooling and no dependencies installed.
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KEYS, REPO, SAMPLE_RELEASE, tempJira } from '../support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'duo-jira-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack', () => {
  it('installs globally from the tarball and runs', async () => {
    const pack = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: REPO });
    const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const paths = info!.files.map((f) => f.path);
    expect(paths).toContain('bin/duo-jira.js');
    for (const f of ['bin/package.json', 'dist/boot.cjs', 'dist/cli.cjs', 'dist/cli.cjs.cache', 'dist/commands/install.cjs', 'dist/lib/undici.cjs']) expect(paths).toContain(f);
    expect(paths.some((p) => p.startsWith('src/') || p.startsWith('test/') || p.startsWith('fixtures/'))).toBe(false);
    const prefix = join(work, 'prefix');
    await execa('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, join(work, info!.filename)]);
    const bin = join(prefix, 'bin', 'duo-jira');
    const help = await execa(bin, ['--help']);
    expect(help.stdout).toContain('Usage: duo-jira');
    const t = tempJira('jira-7');
    try {
      const r = await execa(bin, ['install', '-d', t.dir, '-i', KEYS.ikey, '-h', KEYS.host, '--artifacts', SAMPLE_RELEASE, '--offline', '--dry-run'], {
        env: { DUO_SKEY: KEYS.skey, DUO_JIRA_STATE_DIR: t.state, NO_COLOR: '1' }, reject: false,
      });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain('<filter-name>duoauth</filter-name>');
    } finally {
      t.cleanup();
    }
  }, 120_000);
});
