// Part of `npm run build`: run the everyday commands once on a throw-away copy of the fixture Jira tree
// through dist/boot.cjs, then save each loaded bundle's V8 code cache. Caches made after a run include
// the functions those commands compile, which is most of what a cache made from a plain compile misses.
// Run as its own process with stdout and stderr discarded (the build shows only failures).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const boot = createRequire(import.meta.url)('../dist/boot.cjs');
const work = mkdtempSync(join(tmpdir(), 'duo-jira-train-'));
try {
  const jira = join(work, 'jira');
  cpSync(join(repo, 'fixtures/jira-7'), jira, { recursive: true });
  process.env.DUO_JIRA_STATE_DIR = join(work, 'state');
  process.env.DUO_SKEY = 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef';
  process.env.NO_COLOR = '1';
  const { main } = boot.load(join(repo, 'dist/cli.cjs'));
  const keys = ['-d', jira, '-i', 'DIXXXXXXXXXXXXXXXXXX', '-h', 'api-12345678.duosecurity.com', '--artifacts', join(repo, 'fixtures/duo_jira-sample'), '--offline'];
  const runs = [['--help'], ['install', ...keys, '--dry-run'], ['install', ...keys], ['doctor', '-d', jira, '--offline'],
    ['disable', '-d', jira, '--yes'], ['enable', '-d', jira, '--yes'], ['rollback', '-d', jira, '--list'], ['uninstall', '-d', jira, '--yes']];
  for (const argv of runs) {
    const code = await main(argv);
    // doctor exits 6 here: the fixture's web.xml is world-readable, which it reports.
    if (code !== 0 && !(argv[0] === 'doctor' && code === 6)) throw new Error(`duo-jira ${argv.join(' ')} exited ${code}`);
  }
  boot.saveCaches();
} finally {
  rmSync(work, { recursive: true, force: true });
}
