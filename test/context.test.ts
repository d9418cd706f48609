// The terminal prompts: Ctrl-C (inquirer's ExitPromptError) is a refusal with exit 2, not an internal error.
import { describe, expect, it, vi } from 'vitest';

vi.mock('@inquirer/prompts', () => {
  const sigint = async () => {
    const e = new Error('User force closed the prompt with SIGINT');
    e.name = 'ExitPromptError';
    throw e;
  };
  return { confirm: sigint, password: sigint, input: sigint };
});

const { terminalPrompts } = await import('../src/context.js');
const { EXIT, exitCodeOf } = await import('../src/errors.js');

describe('terminalPrompts', () => {
  it.each(['confirm', 'secret', 'text'] as const)('Ctrl-C at the %s prompt is "cancelled, nothing changed" (exit 2)', async (kind) => {
    const e = await terminalPrompts[kind]('Apply?').then(() => undefined, (err: unknown) => err);
    expect(exitCodeOf(e)).toBe(EXIT.usage);
    expect((e as Error).message).toMatch(/Cancelled at the prompt; nothing was changed/);
  });
});
