// duo-jira dry-run: exactly `install --dry-run` (same Plan, rendered instead of applied).
import type { Ctx } from '../context.js';
import { run as install, type InstallOptions } from './install.js';

export async function run(opts: InstallOptions, ctx: Ctx): Promise<number> {
  return install({ ...opts, dryRun: true }, ctx);
}
