// duo-jira doctor: read everything, change nothing, and say what is wrong and how to fix it.
// Exit 0 when no check fails, 6 (EXIT.checksFailed) when one does.
import type { Ctx } from '../context.js';
import { maskSecrets } from '../credentials.js';
import { EXIT } from '../errors.js';
import { runChecks, summarize } from '../doctor/checks.js';
import { gather } from '../doctor/gather.js';
import { renderHuman, renderJson, type Report } from '../doctor/render.js';
import type { DetectProbes } from '../service/detect.js';
import { DUO } from '../webxml/template.js';
import { loadPaint } from '../paint.js';

export interface DoctorOptions {
  jiraDir: string;
  offline?: boolean;
  json?: boolean;
  verbose?: boolean;
  jiraHome?: string;
  /** Test-only: reach a local fake Duo instead of https://<host>, trusting this CA. */
  duo?: { origin?: string; ca?: string | Buffer };
  /** Test-only: systemd probes (finding a JIRA_HOME the unit running Jira sets). */
  serviceProbes?: Partial<DetectProbes>;
}

export async function run(opts: DoctorOptions, ctx: Ctx): Promise<number> {
  const facts = await gather(opts, ctx);
  const { state, checks } = runChecks(facts);
  const report: Report = {
    state,
    jiraDir: facts.jiraDir,
    version: facts.version.version ?? null,
    checks,
    summary: summarize(checks),
  };
  await loadPaint(ctx.color && !opts.json);
  const text = opts.json ? renderJson(report) : renderHuman(report, { color: ctx.color, verbose: opts.verbose === true });
  // Defence in depth: no check prints skey/akey, but mask them anyway should one slip into a message.
  const secrets = (facts.webXml.parsed?.filter?.params ?? []).filter(([n]) => DUO.secretParams.includes(n)).map(([, v]) => v);
  ctx.stdout.write(maskSecrets(text, secrets));
  return report.summary.fail > 0 ? EXIT.checksFailed : EXIT.ok;
}
