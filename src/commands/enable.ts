// duo-jira enable: restore the duoauth mapping that `disable` (or an admin, by hand) commented out.
import type { Ctx } from '../context.js';
import { addWebXmlStep } from '../webxml-step.js';
import { emptyPlan, executePlan, openSession, type CommonOptions } from '../workflow.js';

export async function run(opts: CommonOptions, ctx: Ctx): Promise<number> {
  const session = await openSession(opts, 'enable', ctx);
  try {
    const plan = emptyPlan('enable', session.paths.root);
    await addWebXmlStep(plan, session, { kind: 'enable' }, 'restore the duoauth filter-mapping right after the security mapping (Duo on)');
    plan.nextSteps.push(opts.restart ? 'Log in to test: Duo should prompt after the password.' : 'Restart Jira (`duo-jira restart`, or add --restart) and log in to test.');
    return await executePlan(plan, session, opts, ctx);
  } finally {
    await session.release();
  }
}
