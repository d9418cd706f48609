// duo-jira uninstall: remove the duoauth filter, its mapping (active or commented out) and the Duo jars.
import { join } from 'node:path';
import { duoLibJars } from '../artifacts.js';
import type { Ctx } from '../context.js';
import { addWebXmlStep } from '../webxml-step.js';
import { emptyPlan, executePlan, listLib, openSession, type CommonOptions } from '../workflow.js';

export interface UninstallOptions extends CommonOptions {
  keepJars?: boolean;
}

export async function run(opts: UninstallOptions, ctx: Ctx): Promise<number> {
  const session = await openSession(opts, 'uninstall', ctx);
  try {
    const plan = emptyPlan('uninstall', session.paths.root);
    await addWebXmlStep(plan, session, { kind: 'uninstall' }, 'remove the duoauth filter and mapping');
    if (!opts.keepJars) {
      const lib = await listLib(session.paths.lib);
      const names = duoLibJars(lib);
      for (const n of names) {
        plan.actions.push({ kind: 'remove', path: join(session.paths.lib, n), expect: { sha256: lib.find((f) => f.name === n)!.sha256 }, role: 'jar' });
      }
      if (names.length) {
        plan.jars.removed = names;
        plan.changes.push(`WEB-INF/lib: remove ${names.join(', ')}`);
        plan.needsConfirmation = true;
      }
    }
    plan.nextSteps.push('Restart Jira (`duo-jira restart`) so the change takes effect.', 'Remove the duo-twofactor add-on in Jira administration → Manage apps if it is installed.');
    return await executePlan(plan, session, opts, ctx);
  } finally {
    await session.release();
  }
}
