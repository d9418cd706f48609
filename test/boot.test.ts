// The bundle loader: a code cache may speed a run up but must never change what runs. A cache of another
// build, a damaged one or none at all means a normal compile and the same result.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachePath, cacheUses, load, writeCache } from '../src/boot.js';
import { REPO } from './support/cli.js';
import { makeTree } from './support/tree.js';

/** Two bundles as the build writes them: a build-id banner, CommonJS, one requiring the other and a builtin. */
let made = 0;
async function bundles(id = 'a1b2c3d4') {
  // Unique source per call: V8 keeps compiled scripts per process and would answer from there instead.
  const n = String(made++).padStart(4, '0');
  const dir = await makeTree({
    'main.cjs': `/*duo-jira build ${id}*/\nconst { twice } = require('./lib/twice.cjs');\nconst { join } = require('node:path');\nconst base = 21; // ${n}\nexports.answer = () => twice(base);\nexports.where = join('a', 'b');\nexports.dirname = __dirname;\n`,
    'lib/twice.cjs': `/*duo-jira build ${id}*/\nexports.twice = (n) => n * 2;\nexports.loads = (globalThis.__twiceLoads = (globalThis.__twiceLoads ?? 0) + 1);\n`,
  });
  return { dir, main: join(dir, 'main.cjs'), twice: join(dir, 'lib/twice.cjs') };
}

/**
 * Load `file` in a fresh Node with the built loader and report its answer and how it was compiled. Fresh,
 * because V8 keeps every compiled script for the process's lifetime and would answer from that instead.
 */
function loadFresh(file: string): { answer: number; use: string } {
  const script = `const b = require(${JSON.stringify(join(REPO, 'dist/boot.cjs'))});
    const m = b.load(${JSON.stringify(file)});
    console.log(JSON.stringify({ answer: m.answer(), use: b.cacheUses().get(${JSON.stringify(file)}) }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { answer: number; use: string };
}

type Main = { answer(): number; where: string; dirname: string };

describe('boot: loading bundles', () => {
  it('runs a bundle, its relative requires (once) and builtins, without any cache', async () => {
    const b = await bundles();
    const m = load(b.main) as Main;
    expect(m.answer()).toBe(42);
    expect(m.where).toBe(join('a', 'b'));
    expect(m.dirname).toBe(b.dir);
    expect(load(b.main)).toBe(m);
    expect((load(b.twice) as { loads: number }).loads).toBe((globalThis as { __twiceLoads?: number }).__twiceLoads);
    expect(cacheUses().get(b.main)).toBe('none');
    expect(loadFresh(b.main)).toEqual({ answer: 42, use: 'none' });
  });

  it('uses the cache written for the same build', async () => {
    const b = await bundles();
    writeCache(b.main);
    expect(loadFresh(b.main)).toEqual({ answer: 42, use: 'used' });
  });

  it('never hands V8 the cache of another build, even when the source length is the same', async () => {
    const b = await bundles('a1b2c3d4');
    writeCache(b.main);
    // A later build with the same length but different code and id: the old cache must not be used.
    writeFileSync(b.main, readFileSync(b.main, 'utf8').replace('a1b2c3d4', 'ffffffff').replace('base = 21', 'base = 22'));
    expect(loadFresh(b.main)).toEqual({ answer: 44, use: 'none' });
  });

  it('falls back to compiling when the cache is damaged', async () => {
    const b = await bundles();
    writeCache(b.main);
    const data = readFileSync(cachePath(b.main));
    writeFileSync(cachePath(b.main), Buffer.concat([data.subarray(0, 9), Buffer.alloc(data.length - 9, 0x5a)]));
    expect(loadFresh(b.main)).toEqual({ answer: 42, use: 'rejected' });
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
});
