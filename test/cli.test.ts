// argv → parsed options, as a table (changesets' cli.test.ts style). Nothing runs.
import { describe, expect, it } from 'vitest';
import { parse } from '../src/cli.js';

const quiet = { writeOut: () => {}, writeErr: () => {} };
const p = (argv: string) => parse(argv.split(' ').filter(Boolean), quiet);

describe('argv → options', () => {
  it.each([
    ['install -i DIX -s SK -h api-x.duosecurity.com -d /j', 'install', { ikey: 'DIX', skey: 'SK', host: 'api-x.duosecurity.com', jiraDir: '/j' }],
    ['install -i DIX -h H', 'install', { jiraDir: '/opt/atlassian/jira', color: true }],
    ['install -s - --skey-file f --artifacts rel.zip --akey AK --fail-open --login-url /x --unprotected-dirs /a,/b --bypass-apis --offline --dry-run --yes --json --no-color', 'install',
      { skey: '-', skeyFile: 'f', artifacts: 'rel.zip', akey: 'AK', failOpen: true, loginUrl: '/x', unprotectedDirs: '/a,/b', bypassApis: true, offline: true, dryRun: true, yes: true, json: true, color: false }],
    ['install --fail-closed --rotate-akey', 'install', { failClosed: true, rotateAkey: true }],
    ['dry-run -i DIX -h H', 'dry-run', { ikey: 'DIX', host: 'H' }],
    ['uninstall --keep-jars --yes -d /j', 'uninstall', { keepJars: true, yes: true, jiraDir: '/j' }],
    ['disable --dry-run', 'disable', { dryRun: true }],
    ['enable --json', 'enable', { json: true }],
    ['doctor --offline --json --verbose --jira-home /h', 'doctor', { offline: true, json: true, verbose: true, jiraHome: '/h' }],
    ['restart --timeout 60 --no-wait --method scripts', 'restart', { timeout: 60, wait: false, method: 'scripts' }],
    ['install --restart --timeout 90 --method systemd --with-addon --jira-home /h', 'install', { restart: true, timeout: 90, method: 'systemd', withAddon: true, jiraHome: '/h' }],
    ['uninstall --restart --keep-addon', 'uninstall', { restart: true, keepAddon: true }],
    ['disable --restart', 'disable', { restart: true }],
    ['rollback --list', 'rollback', { list: true }],
    ['repair -d /j --json', 'repair', { jiraDir: '/j', json: true }],
    ['rollback --checkpoint 20261204 --yes --dry-run', 'rollback', { checkpoint: '20261204', yes: true, dryRun: true }],
    ['addon install --jira-home /h --artifacts rel.zip', 'addon install', { addonAction: 'install', jiraHome: '/h', artifacts: 'rel.zip' }],
    ['addon uninstall --yes', 'addon uninstall', { addonAction: 'uninstall', yes: true }],
    ['addon status --json', 'addon status', { addonAction: 'status', json: true }],
  ])('%s', (argv, command, options) => {
    const inv = p(argv);
    expect(inv).toMatchObject({ command, options });
  });

  it.each([
    ['install --fail-open --fail-closed'],
    ['install --bogus'],
    ['restart --method magic'],
    ['restart --timeout -5'],
    ['install --method magic'],
    ['addon frob'],
    ['rollback --bogus'],
    ['frobnicate'],
    [''],
  ])('%s is a usage error (exit 2)', (argv) => {
    expect(p(argv)).toBe(2);
  });

  it('-h is the API host, --help is help, -V the version', () => {
    expect(p('install -h api-1.duosecurity.com')).toMatchObject({ options: { host: 'api-1.duosecurity.com' } });
    expect(p('--help')).toBe(0);
    expect(p('install --help')).toBe(0);
    expect(p('-V')).toBe(0);
  });
});
