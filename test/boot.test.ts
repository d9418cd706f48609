// The bundle loader: a code cache may speed a run up but must never change what runs, nor stop it from
// running. A cache of another build, a damaged one or none at all means a normal compile and the same result.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachePath, cacheUses, load, writeCache } from '../src/boot.js';
import { REPO } from './support/cli.js';
import { makeTree, snapshot } from './support/tree.js';

const BOOT = join(REPO, 'dist/boot.cjs');

let made = 0;
/** Two bundles as the build writes them (CommonJS, in a dist/ folder): one requiring the other and a builtin. */
async function bundles() {
  // Unique source per call: V8 keeps compiled scripts per process and would answer from there instead.
  const n = String(made++).padStart(4, '0');
  const dir = await makeTree({
    'dist/main.cjs': `"use strict";\nconst { twice } = require('./lib/twice.cjs');\nconst { join } = require('node:path');\nconst base = 21; // ${n}\nexports.answer = () => twice(base);\nexports.where = join('a', 'b');\nexports.dirname = __dirname;\nexports.fail = () => { throw new Error('boom'); };\n`,
    'dist/lib/twice.cjs': `"use strict";\nexports.twice = (n) => n * 2;\nexports.loads = (globalThis.__twiceLoads = (globalThis.__twiceLoads ?? 0) + 1);\n`,
  });
  return { dir, main: join(dir, 'dist/main.cjs'), twice: join(dir, 'dist/lib/twice.cjs') };
}

interface Fresh { answer: number; use: string; stack: string }
/**
 * Load `file` in a fresh Node with the built loader and report its answer, how it was compiled and the
 * stack of an error it throws. Fresh, because V8 keeps every compiled script for the process's lifetime
 * and would answer from that instead of the cache.
 */
function loadFresh(file: string, env: Record<string, string> = {}): Fresh {
  const script = `const b = require(${JSON.stringify(BOOT)});
    const m = b.load(${JSON.stringify(file)});
    let stack = ''; try { m.fail(); } catch (e) { stack = e.stack; }
    console.log(JSON.stringify({ answer: m.answer(), use: b.cacheUses().get(${JSON.stringify(file)}), stack }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, ...env } })) as Fresh;
}

type Main = { answer(): number; where: string; dirname: string };

describe('boot: loading bundles', () => {
  it('runs a bundle, its relative requires (once) and builtins, without any cache', async () => {
    const b = await bundles();
    const m = load(b.main) as Main;
    expect(m.answer()).toBe(42);
    expect(m.where).toBe(join('a', 'b'));
    expect(m.dirname).toBe(join(b.dir, 'dist'));
    expect(load(b.main)).toBe(m);
    expect((load(b.twice) as { loads: number }).loads).toBe((globalThis as { __twiceLoads?: number }).__twiceLoads);
    expect(cacheUses().get(b.main)).toBe('none');
    expect(loadFresh(b.main)).toMatchObject({ answer: 42, use: 'none' });
  });

  it('uses the cache written for the bundle; DUO_JIRA_NO_CODE_CACHE=1 turns it off', async () => {
    const b = await bundles();
    writeCache(b.main);
    expect(loadFresh(b.main)).toMatchObject({ answer: 42, use: 'used' });
    expect(loadFresh(b.main, { DUO_JIRA_NO_CODE_CACHE: '1' })).toMatchObject({ answer: 42, use: 'none' });
  });

  it('never hands V8 a cache made for other source, even of the same length (V8 would run the old code)', async () => {
    const b = await bundles();
    writeCache(b.main);
    writeFileSync(b.main, readFileSync(b.main, 'utf8').replace('base = 21', 'base = 22'));
    expect(loadFresh(b.main)).toMatchObject({ answer: 44, use: 'none' });
  });

  it('a damaged cache means a normal compile, not a crash (release V8 does not checksum the data)', async () => {
    const b = await bundles();
    writeCache(b.main);
    const bytes = readFileSync(cachePath(b.main));
    const middle = bytes.length >> 1;
    for (let i = middle; i < middle + 20 && i < bytes.length; i++) bytes[i] = bytes[i]! ^ 0xff;
    writeFileSync(cachePath(b.main), bytes);
    expect(loadFresh(b.main)).toMatchObject({ answer: 42, use: 'none' });
    writeFileSync(cachePath(b.main), bytes.subarray(0, 10));
    expect(loadFresh(b.main)).toMatchObject({ answer: 42, use: 'none' });
  });

  it('stack traces name the bundle within the package, not the folder it was built or installed in', async () => {
    const b = await bundles();
    writeCache(b.main);
    const { stack, use } = loadFresh(b.main);
    expect(use).toBe('used');
    expect(stack).toMatch(/at exports\.fail \(duo-jira\/dist\/main\.cjs:\d+:\d+\)/);
    expect(stack).not.toContain(b.dir);
  });

  it('a CLI whose main never settles does not exit as a success', async () => {
    const dir = await makeTree({
      'dist/cli.cjs': '"use strict";\nexports.main = async (argv) => (argv[0] === "hang" ? new Promise(() => {}) : Number(argv[0]));\n',
    });
    const exit = (arg: string) => spawnSync(process.execPath, ['-e', `require(${JSON.stringify(BOOT)}).run(${JSON.stringify(join(dir, 'dist'))}, [${JSON.stringify(arg)}])`]).status;
    expect([exit('0'), exit('4'), exit('hang')]).toEqual([0, 4, 1]);
  });

  it('the caches shipped in dist/ fit the Node that built them (else every run compiles again)', () => {
    const script = `const b = require('./dist/boot.cjs'); const p = require('node:path');
      for (const f of ['cli.cjs', 'commands/install.cjs']) b.load(p.resolve('dist', f));
      console.log(JSON.stringify([...b.cacheUses()]));`;
    const uses = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: REPO, encoding: 'utf8' })) as Array<[string, string]>;
    expect(uses.map(([f, u]) => [f.slice(REPO.length + 1), u])).toEqual([['dist/cli.cjs', 'used'], ['dist/commands/install.cjs', 'used']]);
  });

  it('every library bundle in dist/lib loads through the loader and has what src/ calls', () => {
    const script = `const b = require('./dist/boot.cjs'); const l = (n) => b.load(require('node:path').resolve('dist/lib', n + '.cjs'));
      console.log(JSON.stringify({ undici: typeof l('undici').Agent, execa: typeof l('execa').execa, diff: typeof l('diff').createTwoFilesPatch,
        prompts: [l('inquirer-prompts').confirm, l('inquirer-prompts').password, l('inquirer-prompts').input].map((f) => typeof f),
        fflate: typeof l('fflate').unzipSync, chalk: typeof l('chalk').Chalk }));`;
    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: REPO, encoding: 'utf8' }))).toEqual({
      undici: 'function', execa: 'function', diff: 'function', prompts: ['function', 'function', 'function'], fflate: 'function', chalk: 'function',
    });
  });

  it('every bundle is strict mode code, as the ES modules it is built from were', () => {
    const script = `const b = require('./dist/boot.cjs'); const p = require('node:path');
      const cli = b.load(p.resolve('dist/cli.cjs'));
      let strict; try { cli.main.caller; strict = false; } catch { strict = true; }
      console.log(JSON.stringify(strict));`;
    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: REPO, encoding: 'utf8' }))).toBe(true);
  });

  it("the build's training runs stay in their temp folder, even with this machine's JIRA_HOME in the environment", async () => {
    const victim = await makeTree({
      'home/plugins/installed-plugins/duo-twofactor-1.4.3.jar': readFileSync(join(REPO, 'fixtures/duo_jira-sample/etc/duo-twofactor-1.4.3.jar')),
      'home/dbconfig.xml': '<jira-database-config/>\n',
      'state/': '',
    });
    const before = await snapshot(victim);
    const r = spawnSync(process.execPath, ['scripts/train-code-cache.mjs', '--no-save'], {
      cwd: REPO, encoding: 'utf8', env: { ...process.env, JIRA_HOME: join(victim, 'home'), DUO_JIRA_STATE_DIR: join(victim, 'state') },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(await snapshot(victim)).toEqual(before);
  });
});
