// Gather ikey/skey/host from flags, environment, a file, stdin or a hidden prompt, in that order of
// preference, and say so when a secret came from the command line (shell history, process list).
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { interactive, type Ctx } from './context.js';
import { UsageError } from './errors.js';

export interface KeyInputs {
  ikey?: string;
  skey?: string;
  host?: string;
  skeyFile?: string;
}

export interface ResolvedInputs {
  ikey?: string;
  skey?: string;
  host?: string;
  warnings: string[];
}

export async function resolveKeyInputs(opts: KeyInputs, existing: Record<string, string>, ctx: Ctx): Promise<ResolvedInputs> {
  const warnings: string[] = [];
  let skey: string | undefined;
  if (opts.skey === '-') skey = await readStdinLine(ctx);
  else if (opts.skey !== undefined) {
    skey = opts.skey;
    ctx.stderr.write('hint: a secret key given with -s stays in your shell history and is visible in the process list; prefer DUO_SKEY, --skey-file, `-s -` (stdin) or the prompt.\n');
  } else if (opts.skeyFile) skey = await readSkeyFile(resolve(ctx.cwd, opts.skeyFile), warnings);
  // An empty variable counts as unset (a stray `DUO_SKEY=` should not hide the installed key).
  else skey = ctx.env.DUO_SKEY || undefined;

  let ikey = opts.ikey ?? (ctx.env.DUO_IKEY || undefined) ?? existing.ikey;
  let host = opts.host ?? (ctx.env.DUO_HOST || undefined) ?? existing.host;
  skey ??= existing.skey;

  if (interactive(ctx) && ctx.prompts) {
    ikey ??= (await ctx.prompts.text('Duo integration key (ikey):')).trim();
    skey ??= (await ctx.prompts.secret('Duo secret key (skey, hidden):')).trim();
    host ??= (await ctx.prompts.text('Duo API hostname:')).trim();
  }
  const missing = [!ikey && '-i <ikey>', !skey && '-s <skey> (or DUO_SKEY, --skey-file, -s -)', !host && '-h <api-host>'].filter(Boolean);
  if (missing.length) throw new UsageError(`Missing ${missing.join(', ')}.`, 'Copy them from the Jira application in the Duo Admin Panel. See duo-jira install --help.');
  return { ikey, skey, host, warnings };
}

async function readSkeyFile(path: string, warnings: string[]): Promise<string> {
  let text: string;
  try {
    const st = await fs.stat(path);
    if (st.mode & 0o044) warnings.push(`${path} holding the secret key is readable by other users: chmod 600 ${path}`);
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`Cannot read --skey-file ${path}: ${(e as Error).message}`);
  }
  return firstLine(text);
}

async function readStdinLine(ctx: Ctx): Promise<string> {
  if (ctx.stdin.isTTY && ctx.prompts) return (await ctx.prompts.secret('Duo secret key (skey, hidden):')).trim();
  let data = '';
  for await (const chunk of ctx.stdin) {
    data += chunk.toString();
    if (data.includes('\n')) break;
  }
  return firstLine(data);
}

function firstLine(text: string): string {
  return (text.split(/\r?\n/)[0] ?? '').trim();
}
