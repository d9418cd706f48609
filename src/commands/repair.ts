// duo-jira repair: finish what an interrupted run left behind — restore every file from its checkpoint —
// and change nothing else. Every changing command does this first anyway; this does only that, so an
// admin can repair before looking at a dry-run.
import type { Ctx } from '../context.js';
import { openSession } from '../workflow.js';

export interface RepairOptions { jiraDir: string; json?: boolean }

export async function run(opts: RepairOptions, ctx: Ctx): Promise<number> {
  const session = await openSession({ jiraDir: opts.jiraDir }, 'repair', ctx);
  try {
    const message = session.unrepaired ?? session.recovered ?? `nothing to repair: no interrupted duo-jira run for ${session.paths.root}`;
    const repaired = Boolean(session.recovered);
    ctx.stdout.write(opts.json ? JSON.stringify({ action: 'repair', jiraDir: session.paths.root, repaired, message }, null, 2) + '\n' : `duo-jira repair: ${message}\n`);
    return 0;
  } finally {
    await session.release();
  }
}
