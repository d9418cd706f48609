// duo-jira uninstall: remove the duoauth filter, its mapping (active or commented out), the Duo jars and,
// when the Jira home is known, the duo-twofactor add-on — one transaction.
import { join } from 'node:path';
import { addAddonRemoval, addRestartAdvice, locateAddonDir } from '../addon.js';
import { duoLibJars } from '../artifacts.js';
import type { Ctx } from '../context.js';
import { addWebXmlStep } from '../webxml-step.js';
import { emptyPlan, executePlan, listLib, openSession, type CommonOptions } from '../workflow.js';

export interface UninstallOptions extends CommonOptions {
  keepJars?: boolean;
  /** Leave the duo-twofactor add-on in $JIRA_HOME/plugins/installed-plugins. */
  keepAddon?: boolean;
  jiraHome?: string;
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
    if (!opts.keepAddon) {
      const loc = await locateAddonDir(session.paths, opts.jiraHome, ctx);
      plan.warnings.push(...loc.warnings);
      if (loc.pluginsDir) {
        await addAddonRemoval(plan, loc.pluginsDir);
        await addRestartAdvice(plan, session.paths, !!opts.restart);
      } else {
        plan.notes.push(`the duo-twofactor add-on was not looked for: ${loc.problem}. Pass --jira-home <dir> to remove it too, or remove it in Jira administration → Manage apps.`);
      }
    }
    if (!opts.restart) plan.nextSteps.push('Restart Jira (`duo-jira restart`, or add --restart) so the change takes effect.');
    return await executePlan(plan, session, opts, ctx);
  } finally {
    await session.release();
  }
}
