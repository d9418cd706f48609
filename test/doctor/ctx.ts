// Test support for doctor: an in-process Ctx that captures output, and temp Jira trees (copies of
// fixtures/jira-7) with their own duo-jira state dir and Jira home, removed by cleanup().
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { Ctx } from '../../src/context.js';

import { homeInside, KEYS, REPO, SAMPLE_RELEASE } from '../support/cli.js';

export { KEYS, REPO, SAMPLE_RELEASE };

export interface TestCtx {
  ctx: Ctx;
  out(): string;
  err(): string;
}

export function testCtx(env: Record<string, string | undefined>, opts: { color?: boolean; now?: () => Date } = {}): TestCtx {
  let out = '';
  let err = '';
  const stdin = Object.assign(Readable.from([]), { isTTY: false });
  const ctx: Ctx = {
    cwd: tmpdir(),
    env,
    stdout: { write: (s: string) => ((out += s), true), isTTY: false },
    stderr: { write: (s: string) => ((err += s), true), isTTY: false },
    stdin,
    color: opts.color ?? false,
    now: opts.now ?? (() => new Date()),
  };
  return { ctx, out: () => out, err: () => err };
}

export interface Tree {
  root: string;
  dir: string;
  home: string;
  plugins: string;
  state: string;
  webXml: string;
  lib: string;
  env: Record<string, string | undefined>;
  cleanup(): Promise<void>;
}

/** A copy of fixtures/jira-7, an empty Jira home with plugins/installed-plugins, and a private state dir. */
export async function makeTree(fixture = 'jira-7'): Promise<Tree> {
  const root = await fs.mkdtemp(join(tmpdir(), 'duo-jira-doctor-'));
  const dir = join(root, 'jira');
  await fs.cp(join(REPO, 'fixtures', fixture), dir, { recursive: true });
  const home = join(root, 'home');
  const plugins = join(home, 'plugins', 'installed-plugins');
  await fs.mkdir(plugins, { recursive: true });
  homeInside(dir, home);
  const state = join(root, 'state');
  return {
    root, dir, home, plugins, state,
    webXml: join(dir, 'atlassian-jira/WEB-INF/web.xml'),
    lib: join(dir, 'atlassian-jira/WEB-INF/lib'),
    // No HTTPS_PROXY etc. from the developer's environment: online checks only ever reach the local fake.
    env: { DUO_JIRA_STATE_DIR: state },
    cleanup: () => fs.rm(root, { recursive: true, force: true }),
  };
}

/** Put the sample release's add-on where UPM would (uploaded add-ons get a plugin_<n>_ prefix). */
export async function placeAddon(t: Tree): Promise<void> {
  await fs.copyFile(join(SAMPLE_RELEASE, 'etc/duo-twofactor-1.4.3.jar'), join(t.plugins, 'plugin_8412345678_duo-twofactor-1.4.3.jar'));
}
