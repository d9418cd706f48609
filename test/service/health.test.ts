// /status polling against a local node:http server scripted per request, log tailing and diagnosis.
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CONTEXT_FAILED, diagnose, logOffset, probeStatus, tailLog, waitForJira, type StatusProbe } from '../../src/service/health.js';

type Reply = { status: number; body: string };
const json = (state: string, status = 200): Reply => ({ status, body: JSON.stringify({ state }) });

let server: Server | undefined;
let hits = 0;

/** A /status that answers replies[i] on the i-th request, then keeps answering the last one. */
async function statusServer(replies: Reply[]): Promise<string> {
  hits = 0;
  server = createServer((req, res) => {
    const r = replies[Math.min(hits++, replies.length - 1)]!;
    res.writeHead(r.status, { 'content-type': r.body.startsWith('{') ? 'application/json' : 'text/html' });
    res.end(r.body);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/status`;
}

afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

describe('probeStatus', () => {
  it('reads the JSON state, whatever the HTTP status', async () => {
    const url = await statusServer([json('MAINTENANCE', 503)]);
    expect(await probeStatus(url)).toMatchObject({ state: 'MAINTENANCE', httpStatus: 503 });
  });

  it("Tomcat's 404 page (web app failed to start) is HTTP_404, not a state", async () => {
    const url = await statusServer([{ status: 404, body: '<html><body>HTTP Status 404 – Not Found</body></html>' }]);
    expect(await probeStatus(url)).toMatchObject({ state: 'HTTP_404', httpStatus: 404 });
  });

  it('connection refused is NO_ANSWER with the error code', async () => {
    const url = await statusServer([json('RUNNING')]);
    await new Promise((r) => server!.close(r));
    server = undefined;
    const p = await probeStatus(url);
    expect(p.state).toBe('NO_ANSWER');
    expect(p.detail).toMatch(/ECONNREFUSED/);
  });
});

describe('waitForJira', () => {
  it('keeps polling through STARTING, ERROR and 404 until RUNNING', async () => {
    const url = await statusServer([
      { status: 404, body: 'not yet' },
      json('STARTING'),
      json('ERROR', 500),
      json('STARTING'),
      json('RUNNING'),
    ]);
    const seen: string[] = [];
    const r = await waitForJira({ statusUrl: url, timeoutMs: 10_000, intervalMs: 20, onTick: (p: StatusProbe) => seen.push(p.state) });
    expect(r.ok).toBe(true);
    expect(r.last.state).toBe('RUNNING');
    expect(r.polls).toBe(5);
    expect(seen).toEqual(['HTTP_404', 'STARTING', 'ERROR', 'STARTING', 'RUNNING']);
  });

  it('times out with the last state seen, bounded by the timeout', async () => {
    const url = await statusServer([json('STARTING')]);
    const t0 = Date.now();
    const r = await waitForJira({ statusUrl: url, timeoutMs: 400, intervalMs: 50 });
    expect(r.ok).toBe(false);
    expect(r.last.state).toBe('STARTING');
    expect(r.polls).toBeGreaterThan(2);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('FIRST_RUN counts only when the caller says so', async () => {
    const url = await statusServer([json('FIRST_RUN')]);
    expect((await waitForJira({ statusUrl: url, timeoutMs: 200, intervalMs: 50 })).ok).toBe(false);
    expect((await waitForJira({ statusUrl: url, timeoutMs: 200, intervalMs: 50, okStates: ['RUNNING', 'FIRST_RUN'] })).ok).toBe(true);
  });

  it('stops early when giveUp gives a reason (a web app Tomcat will not start again), with that reason', async () => {
    const url = await statusServer([{ status: 404, body: 'Tomcat 404 page' }]);
    let asked = 0;
    const r = await waitForJira({
      statusUrl: url, timeoutMs: 60_000, intervalMs: 20,
      giveUp: async (p) => (++asked === 3 && p.state === 'HTTP_404' ? 'One or more Filters failed to start.' : undefined),
    });
    expect(r).toMatchObject({ ok: false, gaveUp: 'One or more Filters failed to start.', polls: 3, last: { state: 'HTTP_404' } });
  });

  it('CONTEXT_FAILED matches what Tomcat 8-10 log when a filter or listener failed, not a normal start', () => {
    expect(CONTEXT_FAILED.test('SEVERE [main] org.apache.catalina.core.StandardContext.startInternal One or more Filters failed to start. Full details will be found in the appropriate container log file')).toBe(true);
    expect(CONTEXT_FAILED.test("SEVERE: Context [/jira] startup failed due to previous errors")).toBe(true);
    expect(CONTEXT_FAILED.test('INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [1234] milliseconds')).toBe(false);
  });

  it('uses the injected clock and sleep (no real waiting)', async () => {
    const url = await statusServer([json('STARTING')]);
    let now = 0;
    const r = await waitForJira({ statusUrl: url, timeoutMs: 300_000, intervalMs: 2000, now: () => now, sleep: async (ms) => void (now += ms) });
    expect(r.ok).toBe(false);
    expect(r.polls).toBe(151); // t = 0, 2 s, …, 300 s: one last look at the deadline
    expect(r.elapsedMs).toBe(300_000);
  });
});

describe('tailLog and diagnose', () => {
  const dir = mkdtemp(join(tmpdir(), 'duo-jira-health-'));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it('returns the last lines, only those written after an offset, and [] for a missing file', async () => {
    const log = join(await dir, 'catalina.out');
    await writeFile(log, Array.from({ length: 5000 }, (_, i) => `old line ${i}`).join('\n') + '\n');
    expect(await tailLog(log, 3)).toEqual(['old line 4997', 'old line 4998', 'old line 4999']);
    const offset = await logOffset(log);
    await appendFile(log, 'new 1\nnew 2\n');
    expect(await tailLog(log, 100, offset)).toEqual(['new 1', 'new 2']);
    expect(await tailLog(join(await dir, 'nope.log'), 10)).toEqual([]);
    expect(await logOffset(join(await dir, 'nope.log'))).toBe(0);
  });

  it('a duoauth filter Tomcat could not start: blamed, and the way back is rollback/uninstall (disable keeps the filter declared), without stack frames', () => {
    const d = diagnose([
      '04-Dec-2026 16:09:45.963 INFO [main] Starting Servlet engine: [Apache Tomcat/9.0.98]',
      '04-Dec-2026 16:09:46.144 SEVERE [main] org.apache.catalina.core.StandardContext.filterStart Exception starting filter [duoauth]',
      '\tjava.lang.ClassNotFoundException: com.duosecurity.seraph.filter.DuoAuthFilter',
      '\t\tat org.apache.catalina.loader.WebappClassLoaderBase.loadClass(WebappClassLoaderBase.java:1467)',
      '04-Dec-2026 16:09:46.148 SEVERE [main] org.apache.catalina.core.StandardContext.startInternal Context [] startup failed due to previous errors',
    ]);
    expect(d.duoRelated).toBe(true);
    expect(d.lines).toHaveLength(3);
    expect(d.lines[0]).toMatch(/Exception starting filter \[duoauth\]/);
    expect(d.lines.join('\n')).not.toMatch(/WebappClassLoaderBase/);
    expect(d.duoFilterFailed).toBe(true);
    expect(d.advice.join(' ')).toMatch(/disable is not enough here\. The way back in: `duo-jira rollback --restart` .* or `duo-jira uninstall --restart`/);
  });

  it('Duo mentioned without a filter start failure: disable is the way out', () => {
    const d = diagnose(['SEVERE [http-nio-8080-exec-1] com.duosecurity.seraph.filter.DuoAuthFilter Duo is unreachable; fail.Open=false']);
    expect(d).toMatchObject({ duoRelated: true, duoFilterFailed: false });
    expect(d.advice.join(' ')).toMatch(/`duo-jira disable --restart` switches Duo off/);
  });

  it('other startup errors are shown but not blamed on Duo', () => {
    const d = diagnose('x SEVERE [main] Context [/jira] startup failed due to previous errors\nplain line');
    expect(d.duoRelated).toBe(false);
    expect(d.lines).toEqual(['x SEVERE [main] Context [/jira] startup failed due to previous errors']);
    expect(d.advice.join(' ')).not.toMatch(/disable/);
  });
});
