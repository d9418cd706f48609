// duo-jira disable: comment out the duoauth mapping (Duo's documented way to switch it off) and keep the
// filter and keys, so `enable` can switch it back on byte for byte. The way back in after a lock-out.
import type { Ctx } from '../context.js';
import { addWebXmlStep } from '../webxml-step.js';
import { emptyPlan, executePlan, openSession, type CommonOptions } from '../workflow.js';

export async function run(opts: CommonOptions, ctx: Ctx): Promise<number> {
  const session = await openSession(opts, 'disable', ctx);
  try {
    const plan = emptyPlan('disable', session.paths.root);
    await addWebXmlStep(plan, session, { kind: 'disable' }, 'comment out the duoauth filter-mapping (Duo off; filter and keys kept)');
    if (!opts.restart) plan.nextSteps.push('Restart Jira (`duo-jira restart`, or add --restart): Duo is no longer asked for after that.');
    plan.nextSteps.push('Turn it back on with `duo-jira enable --restart`.');
    return await executePlan(plan, session, opts, ctx);
  } finally {
    await session.release();
  }
}
