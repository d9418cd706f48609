// Part of `npm run build`: run the everyday commands once on a throw-away copy of the fixture Jira tree
// through dist/boot.cjs, then save each loaded bundle's V8 code cache. Caches made after a run include
// the functions those commands compile, which is most of what a cache made from a plain compile misses.
//
// The build may well run on a Jira server, as root. Nothing here may reach outside the temp folder: the
// build starts this script with only PATH in its environment (no JIRA_HOME, no state folder), the copy's
// jira.home points into the temp folder, every command that looks for a Jira home is given that one, and
// uninstall keeps the (absent) add-on, so no command looks for a home, an add-on or a running Jira.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const boot = createRequire(import.meta.url)('../dist/boot.cjs');
const work = mkdtempSync(join(tmpdir(), 'duo-jira-train-'));
try {
  const jira = join(work, 'jira');
  const home = join(work, 'home');
  cpSync(join(repo, 'fixtures/jira-7'), jira, { recursive: true });
  mkdirSync(join(home, 'plugins', 'installed-plugins'), { recursive: true });
  writeFileSync(join(jira, 'atlassian-jira/WEB-INF/classes/jira-application.properties'), `jira.home = ${home}\n`);
  Object.assign(process.env, { HOME: work, DUO_JIRA_STATE_DIR: join(work, 'state'), DUO_SKEY: 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef', NO_COLOR: '1' });
  const { main } = boot.load(join(repo, 'dist/cli.cjs'));
  const keys = ['-d', jira, '-i', 'DIXXXXXXXXXXXXXXXXXX', '-h', 'api-12345678.duosecurity.com', '--artifacts', join(repo, 'fixtures/duo_jira-sample'), '--offline'];
  const runs = [['--help'], ['install', ...keys, '--dry-run'], ['install', ...keys], ['doctor', '-d', jira, '--offline', '--jira-home', home],
    ['disable', '-d', jira, '--yes'], ['enable', '-d', jira, '--yes'], ['rollback', '-d', jira, '--list'],
    ['uninstall', '-d', jira, '--yes', '--keep-addon', '--jira-home', home]];
  for (const argv of runs) {
    const code = await main(argv);
    // doctor exits 6 here: the fixture's web.xml is world-readable, which it reports.
    if (code !== 0 && !(argv[0] === 'doctor' && code === 6)) throw new Error(`duo-jira ${argv.join(' ')} exited ${code}`);
  }
  // --no-save: the same runs without touching dist/ (test/boot.test.ts checks they stay in their folder).
  if (!process.argv.includes('--no-save')) boot.saveCaches();
} finally {
  rmSync(work, { recursive: true, force: true });
}
