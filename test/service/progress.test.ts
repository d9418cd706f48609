// Spinner only on a TTY; elsewhere plain lines, a status printed once per change; nothing with --json.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgress } from '../../src/service/progress.js';

function sink(isTTY: boolean) {
  let text = '';
  return { out: { write: (s: string) => void (text += s), isTTY }, text: () => text };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createProgress', () => {
  it('not a TTY: no control characters, repeated statuses collapsed by key', () => {
    const s = sink(false);
    const p = createProgress(s.out, { enabled: true });
    p.line('Restarting');
    p.status('Waiting: STARTING (2s)', 'STARTING');
    p.status('Waiting: STARTING (4s)', 'STARTING');
    p.status('Waiting: RUNNING (6s)', 'RUNNING');
    p.line('✓ done');
    p.done();
    expect(s.text()).toBe('Restarting\n  Waiting: STARTING (2s)\n  Waiting: RUNNING (6s)\n✓ done\n');
  });

  it('a TTY: the status line is redrawn in place and cleared by the next permanent line', () => {
    vi.useFakeTimers();
    const s = sink(true);
    const p = createProgress(s.out, { enabled: true });
    p.status('Stopping Jira');
    vi.advanceTimersByTime(350);
    p.line('✓ Stopped');
    p.done();
    const out = s.text();
    expect(out.match(/\r\x1b\[2K⠋|\r\x1b\[2K⠙|\r\x1b\[2K⠹|\r\x1b\[2K⠸/g)?.length).toBeGreaterThanOrEqual(3);
    expect(out.endsWith('\r\x1b[2K✓ Stopped\n')).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(s.text()).toBe(out); // done() stopped the timer
  });

  it('disabled (--json): writes nothing', () => {
    const s = sink(true);
    const p = createProgress(s.out, { enabled: false });
    p.line('x');
    p.status('y');
    p.done();
    expect(s.text()).toBe('');
  });
});
