// npm run bench: speed goals as ratios to `node -e 0` measured in the same run (never a timed test).
//   --help                      target ≤ 1.3×
//   offline install, 340 KB web.xml (Jira 7 size: ~730 precompiled-JSP servlet pairs)   target ≤ 2.0×
//   the same with a 10× bigger web.xml: its extra cost must be at most 10× the extra cost at 340 KB
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const bin = join(repo, 'bin/duo-jira.js');
const runs = Number(process.env.BENCH_RUNS ?? 15);
const work = mkdtempSync(join(tmpdir(), 'duo-jira-bench-'));

/** A Jira-7-shaped web.xml grown to about `bytes` by adding servlet/servlet-mapping pairs, as real 7.x files have. */
function bigWebXml(bytes) {
  const base = readFileSync(join(repo, 'fixtures/jira-7/atlassian-jira/WEB-INF/web.xml'), 'utf8');
  let extra = '';
  for (let i = 0; base.length + extra.length < bytes; i++) {
    const n = `org.apache.jsp.secure.views.page${i}_jsp`;
    extra += `\n    <servlet>\n        <servlet-name>${n}</servlet-name>\n        <servlet-class>${n}</servlet-class>\n    </servlet>\n    <servlet-mapping>\n        <servlet-name>${n}</servlet-name>\n        <url-pattern>/secure/views/page${i}.jsp</url-pattern>\n    </servlet-mapping>\n`;
  }
  return base.replace(/<\/web-app>\s*$/, `${extra}</web-app>\n`);
}

function trees(label, xml) {
  return Array.from({ length: runs }, (_, i) => {
    const dir = join(work, `${label}-${i}`);
    cpSync(join(repo, 'fixtures/jira-7'), dir, { recursive: true });
    writeFileSync(join(dir, 'atlassian-jira/WEB-INF/web.xml'), xml);
    return dir;
  });
}

function time(args, env = {}) {
  const t0 = process.hrtime.bigint();
  execFileSync('node', args, { stdio: 'ignore', env: { ...process.env, ...env } });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// The fastest run is the least disturbed by whatever else the machine does (noise only ever adds time),
// so ratios use it; the median is printed alongside.
const best = (xs) => Math.min(...xs);

const xml340 = bigWebXml(340_000);
const xml3400 = bigWebXml(3_400_000);
const small = trees('340k', xml340);
const large = trees('3400k', xml3400);
const env = { DUO_JIRA_STATE_DIR: join(work, 'state'), DUO_SKEY: 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef', NO_COLOR: '1' };
const install = (dir) => [bin, 'install', '-d', dir, '-i', 'DIXXXXXXXXXXXXXXXXXX', '-h', 'api-12345678.duosecurity.com', '--artifacts', join(repo, 'fixtures/duo_jira-sample'), '--offline'];

// Warm the file cache once, then interleave the measurements so machine noise hits all of them alike.
time(['-e', '0']); time([bin, '--help']);
const base = [], help = [], inst = [], instBig = [];
for (let i = 0; i < runs; i++) {
  base.push(time(['-e', '0']));
  help.push(time([bin, '--help']));
  inst.push(time(install(small[i]), env));
  instBig.push(time(install(large[i]), env));
}
rmSync(work, { recursive: true, force: true });

const b = best(base), h = best(help), s = best(inst), l = best(instBig);
const med = { base: median(base), help: median(help), inst: median(inst), instBig: median(instBig) };
const rows = [
  ['node -e 0', b, 1, '-', med.base],
  ['duo-jira --help', h, h / b, 1.3, med.help],
  [`install, ${(xml340.length / 1000).toFixed(0)} KB web.xml`, s, s / b, 2.0, med.inst],
  [`install, ${(xml3400.length / 1000).toFixed(0)} KB web.xml`, l, l / b, '-', med.instBig],
];
console.log(`best of ${runs} interleaved runs each (median in brackets)\n`);
for (const [name, ms, ratio, target, m] of rows) console.log(`${name.padEnd(32)} ${ms.toFixed(1).padStart(7)} ms (${m.toFixed(1)})  ${ratio.toFixed(2)}×  ${target === '-' ? '' : `(target ≤ ${target}×)`}`);
// The bundles' code caches (src/boot.ts) are part of the result: say whether this Node used them.
const uses = JSON.parse(execFileSync('node', ['-e', `const b = require('./dist/boot.cjs'); const p = require('node:path');
  for (const f of ['cli.cjs', 'commands/install.cjs']) b.load(p.resolve('dist', f)); console.log(JSON.stringify([...b.cacheUses()]));`], { cwd: repo, encoding: 'utf8' }));
console.log(`\ncode cache: ${uses.map(([f, u]) => `${f.slice(repo.length + 1)} ${u}`).join(', ')}`);
const scale = (l - b) / (s - b);
console.log(`10× bigger web.xml costs ${scale.toFixed(2)}× the work of the 340 KB one beyond node's start (target ≤ 10×)`);
const ok = h / b <= 1.3 && s / b <= 2.0 && scale <= 10;
console.log(ok ? '\nall targets met' : '\nTARGET MISSED');
process.exitCode = ok ? 0 : 1;
