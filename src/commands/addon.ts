// duo-jira addon install|uninstall|status: the duo-twofactor add-on in $JIRA_HOME/plugins/installed-plugins,
// as its own checkpointed transaction (install --with-addon does the same inside the install's transaction).
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { addAddonInstall, addAddonRemoval, addRestartAdvice, jiraRunning, listAddons, locateAddonDir, requirePluginsDir } from '../addon.js';
import { OFFICIAL } from '../artifacts.js';
import type { Ctx } from '../context.js';
import { EnvironmentError, UsageError } from '../errors.js';
import { readRelease } from '../fs/read-artifacts.js';
import { describeHomeSource } from '../jira/home.js';
import { jiraPaths } from '../jira/layout.js';
import type { DetectProbes } from '../service/detect.js';
import { emptyPlan, executePlan, openSession, type CommonOptions } from '../workflow.js';

export interface AddonOptions extends CommonOptions {
  addonAction: 'install' | 'uninstall' | 'status';
  jiraHome?: string;
  artifacts?: string;
  /** Test-only: systemd probes (finding a JIRA_HOME the unit running Jira sets). */
  serviceProbes?: Partial<DetectProbes>;
}

export async function run(opts: AddonOptions, ctx: Ctx): Promise<number> {
  if (opts.addonAction === 'status') return status(opts, ctx);
  if (opts.addonAction !== 'install' && opts.addonAction !== 'uninstall') throw new UsageError(`Unknown add-on action "${String(opts.addonAction)}".`, 'Use duo-jira addon install|uninstall|status.');
  const session = await openSession(opts, 'addon', ctx);
  try {
    const paths = session.paths;
    const plan = emptyPlan(`addon ${opts.addonAction}`, paths.root);
    const loc = await locateAddonDir(paths, opts.jiraHome, ctx, opts.serviceProbes);
    plan.warnings.push(...loc.warnings);
    if (opts.addonAction === 'install') {
      const release = await readRelease(opts.artifacts, ctx.cwd);
      plan.warnings.push(...release.warnings.filter((w) => /duo-twofactor/.test(w)));
      if (!release.addon) {
        throw new EnvironmentError(`The Duo release at ${release.source} has no duo-twofactor-<version>.jar. Nothing was changed.`, 'Use the complete duo_jira release: its etc/ folder holds the add-on.');
      }
      await addAddonInstall(plan, paths, requirePluginsDir(loc, 'install the duo-twofactor add-on'), release.addon);
    } else {
      await addAddonRemoval(plan, requirePluginsDir(loc, 'remove the duo-twofactor add-on'));
    }
    await addRestartAdvice(plan, paths, !!opts.restart);
    if (!opts.restart) plan.nextSteps.push('Restart Jira (`duo-jira restart`, or add --restart): Jira loads or drops add-ons when it starts.');
    return await executePlan(plan, session, opts, ctx);
  } finally {
    await session.release();
  }
}

async function status(opts: AddonOptions, ctx: Ctx): Promise<number> {
  const paths = jiraPaths(resolve(ctx.cwd, opts.jiraDir));
  if (!(await fs.stat(paths.root).then((s) => s.isDirectory(), () => false))) {
    throw new EnvironmentError(`${paths.root} does not exist or is not a directory.`, 'Point -d at the Jira installation directory (default /opt/atlassian/jira).');
  }
  const loc = await locateAddonDir(paths, opts.jiraHome, ctx, opts.serviceProbes);
  const dir = requirePluginsDir(loc, 'tell whether the duo-twofactor add-on is installed');
  const found = await listAddons(dir);
  const release = opts.artifacts ? await readRelease(opts.artifacts, ctx.cwd) : undefined;
  const up = await jiraRunning(paths);
  const addons = found.map((a) => ({ name: a.name, version: a.version, sha256: a.sha256, official: OFFICIAL[a.sha256] ?? null, matchesRelease: release?.addon ? release.addon.sha256 === a.sha256 : null }));
  if (opts.json) {
    const doc = { jiraDir: paths.root, jiraHome: loc.home, jiraHomeSource: loc.source, ...(loc.unit ? { jiraHomeUnit: loc.unit } : {}), pluginsDir: dir, installed: found.length > 0, addons, warnings: loc.warnings, jira: up ?? null };
    ctx.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return 0;
  }
  let out = `Jira home: ${loc.home} (${loc.source === 'option' ? '--jira-home' : `from ${describeHomeSource(loc)}`})\n`;
  if (!found.length) out += `duo-twofactor add-on: not installed in ${dir}\n  install it with \`duo-jira addon install -d ${paths.root}\`\n`;
  for (const a of addons) {
    out += `duo-twofactor add-on: ${a.name} (version ${a.version}) in ${dir}\n`;
    out += `  ${a.official ? `official build: ${a.official}` : `not an official duo_jira build (SHA-256 ${a.sha256.slice(0, 12)}…)`}\n`;
    if (a.matchesRelease !== null) out += `  ${a.matchesRelease ? 'same as' : 'differs from'} the release's ${release!.addon!.name}\n`;
  }
  if (found.length > 1) out += `warning: ${found.length} duo-twofactor jars; Jira may load any of them. \`duo-jira addon install\` keeps exactly one.\n`;
  for (const w of loc.warnings) out += `warning: ${w}\n`;
  if (up) out += up.running ? `Jira is running (${up.state} at ${up.statusUrl}); an add-on change takes effect after a restart.\n` : `Jira does not answer at ${up.statusUrl}.\n`;
  ctx.stdout.write(out);
  return 0;
}
