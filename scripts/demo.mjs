// npm run demo: a real install into a throw-away copy of the bundled fixture Jira tree, with the bundled
// stand-in Duo release, then the diff of web.xml, doctor, disable/enable and uninstall. Offline; touches
// nothing outside a temp folder.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const root = mkdtempSync(join(tmpdir(), 'duo-jira-demo-'));
const jira = join(root, 'jira');
cpSync(join(repo, 'fixtures/jira-7'), jira, { recursive: true });
// The copy's Jira home is inside the temp folder too, and this machine's JIRA_HOME is not passed on: on a
// Jira server the demo's uninstall would otherwise remove the real Jira's duo-twofactor add-on.
const home = join(root, 'home');
mkdirSync(join(home, 'plugins', 'installed-plugins'), { recursive: true });
writeFileSync(join(jira, 'atlassian-jira/WEB-INF/classes/jira-application.properties'), `jira.home = ${home}\n`);
const { JIRA_HOME: _notThis, ...inherited } = process.env;
const env = { ...inherited, DUO_JIRA_STATE_DIR: join(root, 'state'), DUO_SKEY: 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef' };
const webXml = join(jira, 'atlassian-jira/WEB-INF/web.xml');
const original = readFileSync(webXml);

function step(title, args, { allowFail = false } = {}) {
  console.log(`\n\x1b[1m$ duo-jira ${args.join(' ')}\x1b[0m   # ${title}`);
  try {
    process.stdout.write(execFileSync('node', [join(repo, 'bin/duo-jira.js'), ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  } catch (e) {
    process.stdout.write(e.stdout ?? '');
    if (!allowFail) throw e;
    console.log(`(exit ${e.status})`);
  }
}

console.log(`Demo Jira tree (a copy of fixtures/jira-7): ${jira}`);
const keys = ['-d', jira, '-i', 'DIXXXXXXXXXXXXXXXXXX', '-h', 'api-12345678.duosecurity.com', '--artifacts', join(repo, 'fixtures/duo_jira-sample'), '--offline'];
step('what would change (DUO_SKEY holds the secret key)', ['install', ...keys, '--dry-run']);
step('do it', ['install', ...keys]);
console.log('\n\x1b[1m$ diff -u original/web.xml installed/web.xml\x1b[0m');
try {
  execFileSync('diff', ['-u', '--label', 'original/web.xml', '--label', 'installed/web.xml', '-', webXml], { input: original, stdio: ['pipe', 'inherit', 'inherit'] });
} catch { /* diff exits 1 when files differ */ }
step('check the result', ['doctor', '-d', jira, '--offline'], { allowFail: true });
step('the way back in after a lock-out', ['disable', '-d', jira, '--yes']);
step('and on again', ['enable', '-d', jira, '--yes']);
step('remove everything', ['uninstall', '-d', jira, '--yes']);
const same = readFileSync(webXml).equals(original);
console.log(`\nweb.xml after uninstall is ${same ? 'byte-identical to' : 'DIFFERENT from'} the original.`);
console.log(`The temp tree stays for you to inspect: ${root}`);
if (!same) process.exit(1);
