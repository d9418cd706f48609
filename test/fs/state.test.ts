// Where the lock, journal and checkpoints live: outside the Jira tree, one readable unique folder per install.
import { homedir } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { statePaths, stateRoot } from '../../src/fs/state.js';

describe('stateRoot', () => {
  it('DUO_JIRA_STATE_DIR wins, made absolute', () => {
    expect(stateRoot({ DUO_JIRA_STATE_DIR: '/srv/duo-state', XDG_STATE_HOME: '/x' })).toBe('/srv/duo-state');
    expect(stateRoot({ DUO_JIRA_STATE_DIR: 'rel/dir' })).toBe(`${process.cwd()}/rel/dir`);
  });

  it('root uses /var/lib/duo-jira', () => {
    vi.spyOn(process, 'getuid').mockReturnValue(0);
    try {
      expect(stateRoot({ HOME: '/root', XDG_STATE_HOME: '/root/.xdg' })).toBe('/var/lib/duo-jira');
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('a non-root user uses XDG_STATE_HOME, else ~/.local/state', () => {
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    try {
      expect(stateRoot({ XDG_STATE_HOME: '/home/u/.st', HOME: '/home/u' })).toBe('/home/u/.st/duo-jira');
      expect(stateRoot({ XDG_STATE_HOME: '', HOME: '/home/u' })).toBe('/home/u/.local/state/duo-jira');
      expect(stateRoot({ HOME: '/home/u' })).toBe('/home/u/.local/state/duo-jira');
      expect(stateRoot({})).toBe(`${homedir()}/.local/state/duo-jira`);
    } finally {
      vi.restoreAllMocks();
    }
  });
});

describe('statePaths', () => {
  const env = { DUO_JIRA_STATE_DIR: '/state' };

  it('one readable folder per install, holding lock, journal.json and checkpoints/', () => {
    const p = statePaths('/opt/atlassian/jira', env);
    expect(p.dir).toMatch(/^\/state\/opt-atlassian-jira-[0-9a-f]{8}$/);
    expect(p).toEqual({ dir: p.dir, lock: `${p.dir}/lock`, journal: `${p.dir}/journal.json`, checkpoints: `${p.dir}/checkpoints` });
  });

  it('the same install always maps to the same folder (trailing slash, relative path, ..)', () => {
    const a = statePaths('/opt/atlassian/jira', env);
    expect(statePaths('/opt/atlassian/jira/', env)).toEqual(a);
    expect(statePaths('/opt/atlassian/x/../jira', env)).toEqual(a);
    expect(statePaths('jira', env, '/state')).toEqual(statePaths(`${process.cwd()}/jira`, env, '/state'));
  });

  it('different installs never share a folder, even when their readable names collide', () => {
    const dirs = ['/opt/a b', '/opt/a-b', '/opt/a_b', '/opt/a--b', '/opt/A-B', '/opt/atlassian/jira', '/opt/atlassian/jira2'].map((d) => statePaths(d, env).dir);
    expect(new Set(dirs).size).toBe(dirs.length);
    expect(statePaths('/opt/a b', env).dir.replace(/-[0-9a-f]{8}$/, '')).toBe(statePaths('/opt/a-b', env).dir.replace(/-[0-9a-f]{8}$/, ''));
  });

  it('the folder name is one safe path segment of bounded length', () => {
    for (const d of ['/', '/opt/Atlassian JIRA (prod)/../jira 8', `/${'very-long-segment/'.repeat(20)}jira`, '/opt/…ünïcode/jira', '/opt/a\nb']) {
      const p = statePaths(d, env);
      const seg = p.dir.slice('/state/'.length);
      expect(seg).toMatch(/^[A-Za-z0-9._-]+$/);
      expect(seg).not.toMatch(/^\.\.?$/);
      expect(seg.length).toBeLessThanOrEqual(60 + 9);
    }
    expect(statePaths('/', env).dir).toMatch(/^\/state\/root-[0-9a-f]{8}$/);
    expect(statePaths(`/${'x'.repeat(100)}/jira`, env).dir).toMatch(/x+\/?.*-jira-[0-9a-f]{8}$/);
  });

  it('an explicit root overrides the environment', () => {
    expect(statePaths('/opt/atlassian/jira', env, '/elsewhere').dir.startsWith('/elsewhere/opt-atlassian-jira-')).toBe(true);
  });
});
