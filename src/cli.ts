// Commander wiring only: declare commands and flags, lazy-load `commands/<name>` and map typed errors to
// exit codes. `-h` is the Duo API host (as in Duo's install.sh), so help is `--help` only.
import { Command, CommanderError, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { processCtx, type Ctx } from './context.js';
import { EXIT, isDuoJiraError } from './errors.js';
import { DEFAULT_JIRA_DIR } from './jira/layout.js';

export interface Invocation {
  command: string;
  options: Record<string, unknown>;
}

const EXIT_CODES_HELP = `
Exit codes:
  0  done, or nothing to do          4  web.xml cannot be edited safely (nothing written)
  2  bad usage or invalid input      5  failed part-way and rolled back (files restored)
  3  Jira layout, permissions,       6  doctor: at least one check failed
     artifacts or Duo rejected keys  1  internal error (a bug)`;

/** The flags of the commands that change something: those of readOnly plus --dry-run and --yes. */
function common(cmd: Command): Command {
  return readOnly(cmd)
    .option('--dry-run', 'print the plan (diff of web.xml, jars) and change nothing')
    .option('--yes', 'do not ask for confirmation (required without a terminal)');
}

/** The flags of the commands that change nothing: -d, --json, --no-color. */
function readOnly(cmd: Command): Command {
  return cmd
    .option('-d, --jira-dir <dir>', 'Jira installation directory', DEFAULT_JIRA_DIR)
    .option('--json', 'print one JSON document instead of text')
    .option('--no-color', 'no colors (NO_COLOR is respected too)');
}

/** --restart and what it passes to the restart (install, uninstall, disable, enable, addon, rollback). */
function restartOptions(cmd: Command): Command {
  return cmd
    .option('--restart', 'restart Jira afterwards and wait for RUNNING; if it does not come back, undo the change and restart again (exit 5)')
    .option('--timeout <seconds>', 'with --restart: how long to wait for Jira to stop and to reach RUNNING (default 300)', (v) => parsePositive(v, '--timeout'))
    .addOption(new Option('--method <method>', 'with --restart: how to restart (default: detected)').choices(['systemd', 'initd', 'scripts']));
}

const JIRA_HOME_HELP = 'Jira home directory, for the add-on (default: JIRA_HOME, bin/setenv.sh, the systemd unit or jira-application.properties)';

function installOptions(cmd: Command): Command {
  return restartOptions(common(cmd))
    .option('-i, --ikey <ikey>', 'Duo integration key (or DUO_IKEY)')
    .option('-s, --skey <skey>', 'Duo secret key; "-" reads it from stdin (or DUO_SKEY, --skey-file, prompt)')
    .option('-h, --host <host>', 'Duo API hostname, e.g. api-XXXXXXXX.duosecurity.com (or DUO_HOST)')
    .option('--skey-file <file>', 'read the secret key from a file (first line)')
    .option('--artifacts <dir|zip>', 'the duo_jira release: unzipped folder, its etc/, or the zip (default ./etc)')
    .option('--akey <akey>', 'application key (40+ chars); default: keep the installed one or generate one')
    .option('--rotate-akey', 'generate a new application key even if one is installed')
    .addOption(new Option('--fail-open', 'let users in when Duo is unreachable (fail.Open=true)').conflicts('failClosed'))
    .addOption(new Option('--fail-closed', 'refuse logins when Duo is unreachable (fail.Open=false, the filter default)').conflicts('failOpen'))
    .option('--login-url <path>', 'Duo login page path (login.url), default /plugins/servlet/duologin')
    .option('--unprotected-dirs <dirs>', 'space- or comma-separated path prefixes Duo does not protect (unprotected.dirs)')
    .option('--bypass-apis', 'skip Duo for requests Seraph already authenticated by basic auth/OAuth (bypass.APIs=true)')
    .option('--offline', 'skip every network check (the credential pre-flight)')
    .option('--with-addon', 'also put the duo-twofactor add-on into $JIRA_HOME/plugins/installed-plugins (same transaction)')
    .option('--jira-home <dir>', JIRA_HOME_HELP);
}

const COMMANDS = ['install', 'dry-run', 'uninstall', 'disable', 'enable', 'rollback', 'repair', 'addon', 'doctor', 'restart'] as const;

/**
 * The program with every command, or with only `only` (what argv names): commander's option set-up is a
 * measurable part of a run, and a run needs just its own command. Root help and unknown commands get all.
 */
export function buildProgram(onRun: (inv: Invocation) => void, only?: string): Command {
  const want = (name: (typeof COMMANDS)[number]) => !only || only === name;
  const program = new Command('duo-jira')
    .description('Install, check and remove Duo two-factor authentication (legacy Seraph filter) on an on-premises Jira server.')
    .version(pkg.version, '-V, --version')
    .helpOption('--help', 'show help')
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const action = (command: string, extra: Record<string, unknown> = {}) => (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    onRun({ command, options: { ...cmd.opts(), ...extra } });
  };
  if (want('install')) {
    installOptions(program.command('install').description('add Duo to Jira: web.xml filter + mapping after security, jars in WEB-INF/lib'))
      .addHelpText('after', '\nExample:\n  DUO_SKEY=... duo-jira install -i DIXXXXXXXXXXXXXXXXXX -h api-xxxxxxxx.duosecurity.com -d /opt/atlassian/jira --artifacts duo_jira-master.zip')
      .action(action('install'));
  }
  if (want('dry-run')) {
    installOptions(program.command('dry-run').description('same as install --dry-run: show the plan, change nothing')).action(action('dry-run'));
  }
  if (want('uninstall')) {
    restartOptions(common(program.command('uninstall').description('remove the duoauth filter, mapping, Duo jars and the duo-twofactor add-on')))
      .option('--keep-jars', 'leave the Duo jars in WEB-INF/lib')
      .option('--keep-addon', 'leave the duo-twofactor add-on in $JIRA_HOME/plugins/installed-plugins')
      .option('--jira-home <dir>', JIRA_HOME_HELP)
      .action(action('uninstall'));
  }
  if (want('disable')) {
    restartOptions(common(program.command('disable').description('comment out the duoauth mapping: Duo off, keys kept (the way back in after a lock-out)'))).action(action('disable'));
  }
  if (want('enable')) {
    restartOptions(common(program.command('enable').description('restore the duoauth mapping commented out by disable'))).action(action('enable'));
  }
  if (want('rollback')) {
    restartOptions(common(program.command('rollback').description('undo the last applied change (or --checkpoint <id>) from its checkpoint: web.xml, jars and add-on together')))
      .option('--list', 'list the checkpoints (id, date, command, status, files) and change nothing')
      .option('--checkpoint <id>', 'undo this checkpoint instead of the newest applied change')
      .addHelpText('after', '\nDistinct from uninstall: rollback puts back exactly what one change replaced (an earlier Duo setup included)\nand refuses when a file was changed since.')
      .action(action('rollback'));
  }
  if (want('repair')) {
    readOnly(program.command('repair').description('restore the files an interrupted duo-jira run left half-changed (from its checkpoint); nothing else'))
      .action(action('repair'));
  }
  if (want('addon')) {
    const addon = program.command('addon').description('the duo-twofactor add-on in $JIRA_HOME/plugins/installed-plugins: install, uninstall, status');
    for (const [name, desc] of [
      ['install', 'put the release\'s duo-twofactor jar into installed-plugins (owned by the Jira user), replacing older versions'],
      ['uninstall', 'remove every duo-twofactor jar from installed-plugins'],
    ] as const) {
      restartOptions(common(addon.command(name).description(desc)))
        .option('--jira-home <dir>', JIRA_HOME_HELP)
        .option('--artifacts <dir|zip>', 'the duo_jira release (default ./etc)')
        .action(action(`addon ${name}`, { addonAction: name }));
    }
    readOnly(addon.command('status').description('where the add-on is, which version, and whether Jira is running (changes nothing)'))
      .option('--jira-home <dir>', JIRA_HOME_HELP)
      .option('--artifacts <dir|zip>', 'compare with this duo_jira release')
      .action(action('addon status', { addonAction: 'status' }));
  }
  if (want('doctor')) {
    readOnly(program.command('doctor').description('check the setup and report; changes nothing (exit 6 when a check fails)'))
      .option('--jira-home <dir>', 'Jira home directory (default: JIRA_HOME, bin/setenv.sh, the systemd unit or jira-application.properties)')
      .option('--offline', 'skip the checks that talk to Duo')
      .option('--verbose', 'show details for every check')
      .action(action('doctor'));
  }
  if (want('restart')) {
    readOnly(program.command('restart').description('restart Jira the way it is run here and wait until /status is RUNNING'))
      .option('--timeout <seconds>', 'how long to wait for RUNNING', (v) => parsePositive(v, '--timeout'), 300)
      .option('--no-wait', 'do not wait for Jira to come back')
      .addOption(new Option('--method <method>', 'how to restart (default: detected)').choices(['systemd', 'initd', 'scripts']))
      .action(action('restart'));
  }
  return program;
}

function parsePositive(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new CommanderError(EXIT.usage, 'duo-jira.invalidArgument', `${flag} must be a positive number of seconds`);
  return n;
}

/** Parse argv without running anything: for tests and for main(). */
export function parse(argv: string[], out?: { writeOut(s: string): void; writeErr(s: string): void }): Invocation | number {
  let inv: Invocation | undefined;
  const first = argv.find((a) => !a.startsWith('-'));
  const program = buildProgram((i) => (inv = i), COMMANDS.find((c) => c === first && argv[0] === first));
  if (out) program.configureOutput(out);
  const override = (cmds: readonly Command[]): void => cmds.forEach((c) => { c.exitOverride(); override(c.commands); });
  override(program.commands);
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    throw e;
  }
  if (!inv) {
    program.outputHelp();
    return EXIT.usage;
  }
  return inv;
}

export async function main(argv: string[], ctx?: Ctx): Promise<number> {
  const c = ctx ?? processCtx();
  const parsed = parse(argv, { writeOut: (t) => c.stdout.write(t), writeErr: (t) => c.stderr.write(t) });
  if (typeof parsed === 'number') return parsed;
  const { command, options } = parsed;
  if (options.color === false) c.color = false;
  try {
    const mod = await loadCommand(command);
    return await mod.run(options as never, c);
  } catch (e) {
    return reportError(e, options.json === true, c);
  }
}

async function loadCommand(name: string): Promise<{ run(opts: never, ctx: Ctx): Promise<number> }> {
  switch (name) {
    case 'install': return import('./commands/install.js');
    case 'dry-run': return import('./commands/dry-run.js');
    case 'uninstall': return import('./commands/uninstall.js');
    case 'disable': return import('./commands/disable.js');
    case 'enable': return import('./commands/enable.js');
    case 'doctor': return import('./commands/doctor.js');
    case 'restart': return import('./commands/restart.js');
    case 'rollback': return import('./commands/rollback.js');
    case 'repair': return import('./commands/repair.js');
    case 'addon install':
    case 'addon uninstall':
    case 'addon status': return import('./commands/addon.js');
    default: throw new Error(`unknown command ${name}`);
  }
}

function reportError(e: unknown, json: boolean, ctx: Ctx): number {
  const known = isDuoJiraError(e);
  const code = known ? e.exitCode : EXIT.internal;
  const message = e instanceof Error ? e.message : String(e);
  const hint = known ? e.hint : 'This is a bug in duo-jira; please report it with the output above.';
  if (json) {
    ctx.stdout.write(JSON.stringify({ error: { kind: known ? e.kind : 'internal', message, hint, exitCode: code } }, null, 2) + '\n');
  } else {
    ctx.stderr.write(`duo-jira: ${message}\n${hint ? `  fix: ${hint}\n` : ''}`);
    if (!known && e instanceof Error && e.stack) ctx.stderr.write(e.stack + '\n');
  }
  return code;
}
