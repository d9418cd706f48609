// Duo key/host rules, masking, akey generation, and where ikey/skey/host come from (flags, stdin, a file,
// the environment, the installed values, a prompt), run in-process with a captured Ctx.
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Ctx, Prompts } from '../src/context.js';
import { resolveKeyInputs, type KeyInputs } from '../src/credentials-input.js';
import { generateAkey, mask, maskSecrets, validateCredentials, type Credentials } from '../src/credentials.js';
import { EXIT, UsageError } from '../src/errors.js';
import { escapeText } from '../src/webxml/render.js';
import { makeTree } from './support/tree.js';

const IKEY = 'DIWJ8X6AEYOR5OMC6TQ1';
const SKEY = 'Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep';
const AKEY = generateAkey();
const HOST = 'api-e4c9f0a1.duosecurity.com';
const VALID: Credentials = { ikey: IKEY, skey: SKEY, akey: AKEY, host: HOST };

const fields = (v: ReturnType<typeof validateCredentials>['errors']) => v.map((f) => f.field);

describe('validateCredentials', () => {
  it('valid keys: no errors, no warnings', () => {
    expect(IKEY).toHaveLength(20);
    expect(SKEY).toHaveLength(40);
    expect(validateCredentials(VALID)).toEqual({ errors: [], warnings: [] });
    expect(validateCredentials({})).toEqual({ errors: [], warnings: [] });
  });

  it.each([
    ['19 chars', IKEY.slice(0, 19), /exactly 20 characters \(got 19\)/],
    ['21 chars', IKEY + 'X', /exactly 20 characters \(got 21\)/],
    ['empty', '', /exactly 20 characters \(got 0\)/],
    ['a space inside', 'DIWJ8X6AEY R5OMC6TQ1', /only letters and digits/],
    ['quotes from copy-paste', '"DIWJ8X6AEYOR5OMC6T"', /only letters and digits/],
  ])('ikey %s → error', (_n, ikey, msg) => {
    const v = validateCredentials({ ikey });
    expect(fields(v.errors)).toEqual(['ikey']);
    expect(v.errors[0]!.message).toMatch(msg);
  });

  it.each([
    ['lower case', 'diwj8x6aeyor5omc6tq1'],
    ['no DI prefix', 'XXWJ8X6AEYOR5OMC6TQ1'],
  ])('ikey %s (20 alphanumerics, legal) → warning only', (_n, ikey) => {
    const v = validateCredentials({ ikey });
    expect(v.errors).toEqual([]);
    expect(fields(v.warnings)).toEqual(['ikey']);
  });

  it.each([
    ['39 chars', SKEY.slice(0, 39), /exactly 40 characters \(got 39\)/],
    ['41 chars', SKEY + 'a', /exactly 40 characters \(got 41\)/],
    ['with a trailing newline', SKEY.slice(0, 39) + '\n', /only letters and digits/],
    ['with punctuation', SKEY.slice(0, 39) + '/', /only letters and digits/],
  ])('skey %s → error that never echoes the key', (_n, skey, msg) => {
    const v = validateCredentials({ skey });
    expect(fields(v.errors)).toEqual(['skey']);
    expect(v.errors[0]!.message).toMatch(msg);
    expect(v.errors[0]!.message).not.toContain(skey.slice(0, 12));
  });

  it('akey: at least 40 printable characters without spaces', () => {
    expect(validateCredentials({ akey: 'a'.repeat(40) }).errors).toEqual([]);
    expect(validateCredentials({ akey: '!~"\\&<>'.repeat(10) }).errors).toEqual([]);
    const short = validateCredentials({ akey: 'b'.repeat(39) });
    expect(short.errors[0]).toMatchObject({ field: 'akey', message: expect.stringContaining('at least 40 characters (got 39)') });
    expect(short.errors[0]!.message).not.toContain('b'.repeat(39));
    expect(fields(validateCredentials({ akey: 'c'.repeat(20) + ' ' + 'c'.repeat(20) }).errors)).toEqual(['akey']);
    expect(fields(validateCredentials({ akey: 'c'.repeat(40) + 'é' }).errors)).toEqual(['akey']);
    expect(fields(validateCredentials({ akey: 'c'.repeat(40) + '\t' }).errors)).toEqual(['akey']);
  });

  it.each([
    'api-e4c9f0a1.duosecurity.com',
    'API-E4C9F0A1.DUOSECURITY.COM',
    'api-12345678.duofederal.com',
  ])('host %s: fine', (host) => {
    expect(validateCredentials({ host })).toEqual({ errors: [], warnings: [] });
  });

  it.each([
    ['https://api-e4c9f0a1.duosecurity.com', /without "https:\/\/"; use api-e4c9f0a1\.duosecurity\.com$/],
    ['https://api-e4c9f0a1.duosecurity.com/admin/login', /use api-e4c9f0a1\.duosecurity\.com$/],
    ['HTTP://api-e4c9f0a1.duosecurity.com', /without "HTTP:\/\/"/],
    ['api-e4c9f0a1.duosecurity.com:443', /no path, port or spaces/],
    ['api-e4c9f0a1.duosecurity.com/', /no path, port or spaces/],
    ['api-e4c9f0a1.duosecurity.com/auth/v2', /no path, port or spaces/],
    [' api-e4c9f0a1.duosecurity.com', /no path, port or spaces/],
    ['localhost', /not a valid hostname/],
    ['', /not a valid hostname/],
    ['api..duosecurity.com', /not a valid hostname/],
    ['-api.duosecurity.com', /not a valid hostname/],
    ['api_e4c9.duosecurity.com', /not a valid hostname/],
    [`${'a'.repeat(64)}.duosecurity.com`, /not a valid hostname/],
    [`${'a.'.repeat(127)}com`, /not a valid hostname/],
  ])('host %j → error', (host, msg) => {
    const v = validateCredentials({ host });
    expect(fields(v.errors)).toEqual(['host']);
    expect(v.errors[0]!.message).toMatch(msg);
    expect(v.warnings).toEqual([]);
  });

  it.each(['duo.example.com', 'api-e4c9f0a1.duosecurity.co', 'e4c9f0a1.duosecurity.com', 'api-e4c9f0a1.duosecurity.com.evil.net'])(
    'host %s: unusual but legal → warning only',
    (host) => {
      const v = validateCredentials({ host });
      expect(v.errors).toEqual([]);
      expect(v.warnings).toEqual([{ field: 'host', message: expect.stringContaining('not of the usual form') }]);
    },
  );

  it('reports every field at once', () => {
    const v = validateCredentials({ ikey: 'short', skey: 'short', akey: 'short', host: 'https://x' });
    expect(fields(v.errors)).toEqual(['ikey', 'skey', 'akey', 'host']);
  });
});

describe('generateAkey / mask / maskSecrets', () => {
  it('generateAkey: ≥ 40 chars, valid, different every call', () => {
    const keys = Array.from({ length: 50 }, generateAkey);
    for (const k of keys) {
      expect(k.length).toBeGreaterThanOrEqual(40);
      expect(validateCredentials({ akey: k }).errors).toEqual([]);
    }
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('mask keeps the first 4 characters and an ellipsis', () => {
    expect(mask(SKEY)).toBe('Zh5e…');
    expect(mask(IKEY)).toBe('DIWJ…');
  });

  it('maskSecrets masks every occurrence of each secret, and leaves other text alone', () => {
    const text = `ikey=${IKEY}\nskey=${SKEY}\nagain ${SKEY}${SKEY}\nakey=${AKEY}\n`;
    const out = maskSecrets(text, [SKEY, undefined, AKEY, '']);
    expect(out).toBe(`ikey=${IKEY}\nskey=Zh5e…\nagain Zh5e…Zh5e…\nakey=${mask(AKEY)}\n`);
  });

  it('maskSecrets masks the XML-escaped form of a secret (as written into web.xml)', () => {
    const akey = 'Ab&c<d>e' + 'f'.repeat(40);
    const xml = `<param-value>${escapeText(akey)}</param-value>`;
    expect(xml).toContain('&amp;c&lt;d&gt;e');
    expect(maskSecrets(xml, [akey])).toBe('<param-value>Ab&c…</param-value>');
    expect(maskSecrets(`raw ${akey}`, [akey])).toBe('raw Ab&c…');
  });

  it('maskSecrets masks a secret inside JSON output (--json), raw or XML-escaped (a web.xml diff)', () => {
    const akey = 'Qq"\\&<' + 'Z'.repeat(40);
    const doc = JSON.stringify({ akey, changes: [`+ <param-value>${escapeText(akey)}</param-value>`] }, null, 2);
    const out = maskSecrets(doc, [akey]);
    expect(out).not.toContain('ZZZZZZZZ');
    expect(JSON.parse(out)).toEqual({ akey: 'Qq"\\…', changes: ['+ <param-value>Qq"\\…</param-value>'] });
  });

  it('maskSecrets ignores values too short to be keys (would mask ordinary words)', () => {
    expect(maskSecrets('the web.xml file', ['web', 'xml', 'the'])).toBe('the web.xml file');
  });
});

// ---------------------------------------------------------------------------------------------------------
// resolveKeyInputs

interface TestCtx extends Ctx {
  out(): string;
  err(): string;
  asked: string[];
}

function makeCtx(o: { stdin?: Array<string | Buffer> | NodeJS.ReadableStream; tty?: boolean; env?: Record<string, string>; answers?: Record<string, string> } = {}): TestCtx {
  let out = '';
  let err = '';
  const asked: string[] = [];
  const stream = Array.isArray(o.stdin) || o.stdin === undefined ? Readable.from(o.stdin ?? []) : o.stdin;
  const answer = (m: string) => {
    asked.push(m);
    const key = Object.keys(o.answers ?? {}).find((k) => m.includes(k));
    if (key === undefined) throw new Error(`unexpected prompt ${m}`);
    return Promise.resolve(o.answers![key]!);
  };
  const prompts: Prompts = { confirm: () => Promise.resolve(false), secret: answer, text: answer };
  return {
    cwd: '/nonexistent-cwd',
    env: o.env ?? {},
    stdout: { write: (s: string) => void (out += s), isTTY: o.tty ?? false },
    stderr: { write: (s: string) => void (err += s), isTTY: o.tty ?? false },
    stdin: Object.assign(stream, { isTTY: o.tty ?? false }),
    color: false,
    now: () => new Date(),
    prompts: o.answers ? prompts : undefined,
    out: () => out,
    err: () => err,
    asked,
  };
}

const resolve = (opts: KeyInputs, ctx: TestCtx, existing: Record<string, string> = {}) => resolveKeyInputs(opts, existing, ctx);

describe('resolveKeyInputs: where the skey comes from', () => {
  it('`-s -` reads the first line of stdin (trimmed, CRLF ok), with no hint', async () => {
    const ctx = makeCtx({ stdin: [`${SKEY}\r\nsecond line\n`] });
    const r = await resolve({ ikey: IKEY, skey: '-', host: HOST }, ctx);
    expect(r).toEqual({ ikey: IKEY, skey: SKEY, host: HOST, warnings: [] });
    expect(ctx.err()).toBe('');
    expect(ctx.out()).toBe('');
  });

  it('`-s -` joins a line split over several chunks, and takes a last line without newline', async () => {
    const split = makeCtx({ stdin: [Buffer.from(SKEY.slice(0, 10)), Buffer.from(SKEY.slice(10) + '\nrest')] });
    expect((await resolve({ ikey: IKEY, skey: '-', host: HOST }, split)).skey).toBe(SKEY);
    const noNewline = makeCtx({ stdin: [`  ${SKEY}  `] });
    expect((await resolve({ ikey: IKEY, skey: '-', host: HOST }, noNewline)).skey).toBe(SKEY);
  });

  it('`-s -` does not wait for end of input once the line is there', async () => {
    const stdin = new PassThrough();
    stdin.write(`${SKEY}\n`); // and never ended, like a pipe from a still-running process
    const r = await resolve({ ikey: IKEY, skey: '-', host: HOST }, makeCtx({ stdin }));
    expect(r.skey).toBe(SKEY);
  });

  it('`-s -` with empty stdin → missing (never silently the installed skey)', async () => {
    const e = await resolve({ ikey: IKEY, skey: '-', host: HOST }, makeCtx({ stdin: [] }), { skey: 'installed'.padEnd(40, 'x') }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toContain('-s <skey>');
  });

  it('`-s -` on a terminal asks with the hidden prompt', async () => {
    const ctx = makeCtx({ tty: true, answers: { 'secret key': ` ${SKEY} ` } });
    const r = await resolve({ ikey: IKEY, skey: '-', host: HOST }, ctx);
    expect(r.skey).toBe(SKEY);
    expect(ctx.asked).toEqual(['Duo secret key (skey, hidden):']);
  });

  it('`-s <value>` is used, with the shell-history hint on stderr (not stdout, not the key)', async () => {
    const ctx = makeCtx({ env: { DUO_SKEY: 'env'.padEnd(40, 'e') } });
    const r = await resolve({ ikey: IKEY, skey: SKEY, host: HOST }, ctx);
    expect(r.skey).toBe(SKEY);
    expect(ctx.err()).toMatch(/^hint: a secret key given with -s stays in your shell history/);
    expect(ctx.err()).toContain('DUO_SKEY, --skey-file, `-s -`');
    expect(ctx.err()).not.toContain(SKEY);
    expect(ctx.out()).toBe('');
    expect(r.warnings).toEqual([]);
  });

  it('--skey-file: first line, trimmed; no warning when 0600; preferred over DUO_SKEY', async () => {
    const dir = await makeTree({ 'skey.txt': { content: `${SKEY}\n# comment\n`, mode: 0o600 } });
    const ctx = makeCtx({ env: { DUO_SKEY: 'env'.padEnd(40, 'e') } });
    const r = await resolve({ ikey: IKEY, skeyFile: join(dir, 'skey.txt'), host: HOST }, ctx);
    expect(r).toEqual({ ikey: IKEY, skey: SKEY, host: HOST, warnings: [] });
    expect(ctx.err()).toBe('');
  });

  it.each([0o640, 0o604, 0o644, 0o440])('--skey-file readable by others (%o) → a chmod 600 warning', async (mode) => {
    const dir = await makeTree({ 'skey.txt': { content: SKEY, mode } });
    const path = join(dir, 'skey.txt');
    const r = await resolve({ ikey: IKEY, skeyFile: path, host: HOST }, makeCtx());
    expect(r.skey).toBe(SKEY);
    expect(r.warnings).toEqual([`${path} holding the secret key is readable by other users: chmod 600 ${path}`]);
  });

  it.each([0o600, 0o400, 0o620, 0o602])('--skey-file mode %o (not readable by others) → no warning', async (mode) => {
    const dir = await makeTree({ 'skey.txt': { content: SKEY, mode } });
    expect((await resolve({ ikey: IKEY, skeyFile: join(dir, 'skey.txt'), host: HOST }, makeCtx())).warnings).toEqual([]);
  });

  it('--skey-file that cannot be read → UsageError (exit 2) naming it', async () => {
    const dir = await makeTree({ 'sub/': '' });
    for (const p of [join(dir, 'missing.txt'), join(dir, 'sub')]) {
      const e = await resolve({ ikey: IKEY, skeyFile: p, host: HOST }, makeCtx()).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).exitCode).toBe(EXIT.usage);
      expect((e as Error).message).toContain(`Cannot read --skey-file ${p}`);
    }
  });

  it('DUO_SKEY (and DUO_IKEY, DUO_HOST) from the environment', async () => {
    const ctx = makeCtx({ env: { DUO_SKEY: SKEY, DUO_IKEY: IKEY, DUO_HOST: HOST } });
    expect(await resolve({}, ctx)).toEqual({ ikey: IKEY, skey: SKEY, host: HOST, warnings: [] });
    expect(ctx.err()).toBe('');
  });

  it('precedence: flags > environment > installed values', async () => {
    const installed = { ikey: 'DIINSTALLEDINSTALLED', skey: 'i'.repeat(40), host: 'api-installed.duosecurity.com' };
    const env = { DUO_SKEY: 'e'.repeat(40), DUO_IKEY: 'DIENVENVENVENVENVENV', DUO_HOST: 'api-env.duosecurity.com' };
    expect(await resolve({ ikey: IKEY, skey: SKEY, host: HOST }, makeCtx({ env }), installed)).toMatchObject({ ikey: IKEY, skey: SKEY, host: HOST });
    expect(await resolve({}, makeCtx({ env }), installed)).toMatchObject({ ikey: env.DUO_IKEY, skey: env.DUO_SKEY, host: env.DUO_HOST });
    expect(await resolve({}, makeCtx(), installed)).toMatchObject(installed);
    // Mixed: each value falls back on its own.
    expect(await resolve({ host: HOST }, makeCtx({ env: { DUO_IKEY: IKEY } }), installed)).toMatchObject({ ikey: IKEY, skey: installed.skey, host: HOST });
  });

  it('falls back to the installed values when nothing is given (re-install, key rotation of one value)', async () => {
    const ctx = makeCtx();
    const r = await resolve({}, ctx, { ikey: IKEY, skey: SKEY, host: HOST });
    expect(r).toEqual({ ikey: IKEY, skey: SKEY, host: HOST, warnings: [] });
    expect(ctx.err()).toBe('');
  });
});

describe('resolveKeyInputs: missing values', () => {
  it('without a TTY → UsageError (exit 2) listing every missing value', async () => {
    const e = await resolve({}, makeCtx()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(EXIT.usage);
    expect((e as Error).message).toBe('Missing -i <ikey>, -s <skey> (or DUO_SKEY, --skey-file, -s -), -h <api-host>.');
    expect((e as UsageError).hint).toContain('Duo Admin Panel');
  });

  it('lists only what is missing', async () => {
    const e = await resolve({ ikey: IKEY }, makeCtx({ env: { DUO_HOST: HOST } })).catch((x: unknown) => x);
    expect((e as Error).message).toBe('Missing -s <skey> (or DUO_SKEY, --skey-file, -s -).');
  });

  it('prompts exist but stdin is not a TTY (piped) → no prompt, UsageError', async () => {
    const ctx = makeCtx({ answers: { '': 'x' } });
    const e = await resolve({ ikey: IKEY }, ctx).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect(ctx.asked).toEqual([]);
  });

  it('on a TTY: asks only for what is missing (skey hidden), answers trimmed', async () => {
    const ctx = makeCtx({ tty: true, answers: { 'integration key': ` ${IKEY}\n`, 'secret key': SKEY, 'API hostname': HOST } });
    const r = await resolve({ ikey: undefined }, ctx, {});
    expect(r).toEqual({ ikey: IKEY, skey: SKEY, host: HOST, warnings: [] });
    expect(ctx.asked).toEqual(['Duo integration key (ikey):', 'Duo secret key (skey, hidden):', 'Duo API hostname:']);

    const partial = makeCtx({ tty: true, answers: { 'secret key': SKEY } });
    expect(await resolve({ ikey: IKEY, host: HOST }, partial)).toMatchObject({ skey: SKEY });
    expect(partial.asked).toEqual(['Duo secret key (skey, hidden):']);

    const none = makeCtx({ tty: true, answers: {} });
    await resolve({}, none, { ikey: IKEY, skey: SKEY, host: HOST });
    expect(none.asked).toEqual([]);
  });

  it('on a TTY an empty answer is still missing', async () => {
    const ctx = makeCtx({ tty: true, answers: { 'integration key': '  ', 'secret key': SKEY, 'API hostname': HOST } });
    const e = await resolve({}, ctx).catch((x: unknown) => x);
    expect((e as Error).message).toBe('Missing -i <ikey>.');
  });
});
