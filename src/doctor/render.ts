// doctor's output: one line per check (colored status only when ctx.color), the fix indented under the ones
// that are not ok, a summary line and the overall Duo state; or a single JSON document.
import { paint } from '../paint.js';
import type { Check, DuoState, Status, Summary } from './types.js';

export interface Report {
  state: DuoState;
  jiraDir: string;
  version: string | null;
  checks: Check[];
  summary: Summary;
}

const STATE_TEXT: Record<DuoState, string> = {
  installed: 'installed (Duo protects Jira logins)',
  disabled: 'disabled (the duoauth filter is configured but not mapped: Jira is NOT protected)',
  'not-installed': 'not installed',
  broken: 'broken (see the failed checks)',
};

export function renderJson(r: Report): string {
  return JSON.stringify(r, null, 2) + '\n';
}

export function renderHuman(r: Report, opts: { color: boolean; verbose: boolean }): string {
  const c = paint(opts.color);
  const style: Record<Status, (s: string) => string> = {
    ok: c.green,
    warn: c.yellow,
    fail: c.red.bold,
    skip: c.dim,
  };
  const lines: string[] = [];
  lines.push(c.bold(`duo-jira doctor: ${r.jiraDir}${r.version ? ` (Jira ${r.version})` : ''}`));
  for (const k of r.checks) {
    const id = opts.verbose ? c.dim(` [${k.id}]`) : '';
    lines.push(`${style[k.status](k.status.padEnd(4))}  ${k.title}${id}: ${k.finding}`);
    if (k.fix && k.status !== 'ok') lines.push(`      ${c.cyan('fix:')} ${k.fix}`);
    if (opts.verbose) for (const d of k.details ?? []) lines.push(`      ${c.dim(d)}`);
  }
  const s = r.summary;
  lines.push('');
  lines.push(`${s.ok} ok, ${s.warn} warn, ${s.fail} fail, ${s.skip} skip`);
  const stateColor = r.state === 'installed' ? c.green : r.state === 'broken' ? c.red.bold : c.yellow;
  const drift = r.state === 'not-installed' && r.checks.some((k) => k.id === 'upgrade-drift' && k.status === 'fail');
  const stateText = drift ? 'not installed, but the Duo jars are still there: Jira runs WITHOUT Duo (upgrade drift)' : STATE_TEXT[r.state];
  lines.push(`Duo state: ${stateColor(stateText)}`);
  return lines.join('\n') + '\n';
}
