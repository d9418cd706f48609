// Service commands (start/stop scripts, init.d, systemctl) run through runCommand: argv arrays, output kept,
// and never with the secret key in the environment they hand to Jira.
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/service/exec.js';

const saved = process.env.DUO_SKEY;
afterEach(() => {
  if (saved === undefined) delete process.env.DUO_SKEY;
  else process.env.DUO_SKEY = saved;
});

describe('runCommand', () => {
  it('does not pass DUO_SKEY on to the command (it would live on in the Jira JVM started by it)', async () => {
    process.env.DUO_SKEY = 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef';
    process.env.DUO_JIRA_EXEC_TEST = 'kept';
    const r = await runCommand(['sh', '-c', 'echo "skey=[${DUO_SKEY-unset}] other=[$DUO_JIRA_EXEC_TEST]"'], { timeoutMs: 10_000 });
    delete process.env.DUO_JIRA_EXEC_TEST;
    expect(r.exitCode).toBe(0);
    expect(r.output.trim()).toBe('skey=[unset] other=[kept]');
  });
});
