// Everything a changing command prints: the dry-run Plan (masked unified diff + jar lines), the summary
// after applying, and the single JSON document for --json. Secrets are masked here, in one place.
import { relative } from 'node:path';
import type { Ctx } from './context.js';
import { paint as paintFor } from './paint.js';
import { maskSecrets } from './credentials.js';
import type { ApplyResult } from './fs/transaction.js';
import type { Plan, RestartOutcome, RunFlags } from './workflow.js';

function paint(ctx: Ctx) {
  return paintFor(ctx.color);
}

function files(plan: Plan) {
  return plan.actions.map((a) => ({ path: a.path, op: a.kind === 'remove' ? 'remove' : a.expect === 'absent' ? 'add' : 'modify', role: a.role }));
}

function json(plan: Plan, extra: Record<string, unknown>): string {
  const doc = {
    action: plan.command,
    jiraDir: plan.jiraDir,
    changed: false,
    files: files(plan),
    backups: [] as string[],
    jars: plan.jars,
    ...(plan.addon ? { addon: plan.addon } : {}),
    changes: plan.changes,
    warnings: plan.warnings,
    notes: plan.notes,
    nextSteps: plan.nextSteps,
    ...extra,
  };
  return maskSecrets(JSON.stringify(doc, null, 2), plan.secrets) + '\n';
}

function lines(title: string, items: string[], style: (s: string) => string): string {
  return items.map((w) => `${style(title)} ${w}\n`).join('');
}

function summary(plan: Plan, ctx: Ctx): string {
  const c = paint(ctx);
  let out = lines('  -', plan.changes, c.cyan);
  out += lines('  note:', plan.notes, c.dim);
  out += lines('  warning:', plan.warnings, c.yellow);
  return maskSecrets(out, plan.secrets);
}

async function diff(plan: Plan, ctx: Ctx): Promise<string> {
  if (!plan.webxml) return '';
  const { createTwoFilesPatch } = await import('diff');
  const name = relative(plan.jiraDir, plan.webxml.path) || plan.webxml.path;
  const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, plan.webxml.before.toString('latin1'), plan.webxml.after.toString('latin1'), '', '', { context: 3 });
  // latin1 keeps every byte one char; re-read as UTF-8 for display.
  const text = Buffer.from(patch, 'latin1').toString('utf8').replace(/\r$/gm, '');
  const c = paint(ctx);
  const colored = text.split('\n').map((l) => (l.startsWith('+') && !l.startsWith('+++') ? c.green(l) : l.startsWith('-') && !l.startsWith('---') ? c.red(l) : l.startsWith('@@') ? c.cyan(l) : l)).join('\n');
  return maskSecrets(colored, plan.secrets);
}

function jarLines(plan: Plan, j: Plan['jars'] = plan.jars): string {
  return [...j.added.map((n) => `  + add     ${n}`), ...j.replaced.map((n) => `  ~ replace ${n}`), ...j.removed.map((n) => `  - remove  ${n}`)].join('\n');
}

function nextSteps(plan: Plan): string {
  return `Next steps:\n${plan.nextSteps.map((s, i) => `  ${i + 1}. ${s}\n`).join('')}`;
}

export const render = {
  summary,

  nothing(plan: Plan, flags: RunFlags, ctx: Ctx): string {
    if (flags.json) return json(plan, { dryRun: !!flags.dryRun });
    // The verdict first, as for a change ("✔ … done"); the notes and warnings under it.
    return `duo-jira ${plan.command}: nothing to do — ${plan.jiraDir} is already as requested.\n` + summary(plan, ctx);
  },

  async dryRun(plan: Plan, flags: RunFlags, ctx: Ctx): Promise<string> {
    const d = await diff(plan, ctx);
    if (flags.json) return json(plan, { dryRun: true, changed: true, diff: d });
    const c = paint(ctx);
    let out = c.bold(`duo-jira ${plan.command} --dry-run: this is the plan; nothing was changed.`) + '\n';
    if (d) out += '\n' + d + (d.endsWith('\n') ? '' : '\n');
    const jars = jarLines(plan);
    if (jars) out += `\nWEB-INF/lib:\n${jars}\n`;
    const addon = plan.addon ? jarLines(plan, plan.addon) : '';
    if (addon) out += `\n${plan.addon!.dir} (Jira add-ons):\n${addon}\n`;
    out += '\n' + summary(plan, ctx);
    return out + `\nRun the same command without --dry-run to apply it.\n`;
  },

  applied(plan: Plan, result: ApplyResult, flags: RunFlags, ctx: Ctx): string {
    if (flags.json) return json(plan, { dryRun: false, changed: true, checkpoint: result.checkpoint, backups: result.backups });
    const c = paint(ctx);
    let out = c.green(`✔ duo-jira ${plan.command}: done in ${plan.jiraDir}`) + '\n' + summary(plan, ctx);
    out += `  backup: ${result.checkpoint} (0600; undo with \`duo-jira rollback\`)\n`;
    // With --restart the next steps follow the restart (render.restarted).
    if (plan.nextSteps.length && !flags.restart) out += nextSteps(plan);
    return maskSecrets(out, plan.secrets);
  },

  /** After --restart brought Jira back (human: the closing lines; --json: the one document). */
  restarted(plan: Plan, result: ApplyResult, r: RestartOutcome, flags: RunFlags, ctx: Ctx): string {
    if (flags.json) return json(plan, { dryRun: false, changed: true, checkpoint: result.checkpoint, backups: result.backups, restart: r });
    const c = paint(ctx);
    let out = c.green(`✔ Jira restarted (${r.method}) and is ${r.state} with the new configuration (${r.statusUrl})`) + '\n';
    if (plan.nextSteps.length) out += nextSteps(plan);
    return maskSecrets(out, plan.secrets);
  },

  /** A line that must not be missed (stdout, human output only). */
  loud(text: string, ctx: Ctx): string {
    return paint(ctx).bold.red(text);
  },
};
