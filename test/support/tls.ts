// Throw-away test PKI made with the openssl CLI: one CA, and server certificates it signs for given
// DNS names (plus 127.0.0.1/localhost). Nothing is written outside a temp dir, which is removed.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface TestCa {
  /** PEM of the CA certificate: what a client must trust. */
  cert: string;
  key: string;
}

export interface ServerCert {
  cert: string;
  key: string;
}

let available: Promise<boolean> | undefined;

/** True when an `openssl` binary is on PATH (the fake Duo tests skip otherwise). */
export function opensslAvailable(): Promise<boolean> {
  available ??= execa('openssl', ['version'], { reject: false, timeout: 10_000 }).then(
    (r) => r.exitCode === 0,
    () => false,
  );
  return available;
}

export const OPENSSL_MISSING = 'openssl CLI not found on PATH: skipping tests that need a local HTTPS fake Duo server';

async function withTmp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'duo-jira-pki-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const openssl = (dir: string, args: string[]) => execa('openssl', args, { cwd: dir, timeout: 30_000 });

// EC P-256 keys: fast to generate, accepted by Node's TLS defaults.
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export async function createTestCa(cn = 'duo-jira test CA'): Promise<TestCa> {
  return withTmp(async (dir) => {
    await openssl(dir, [
      'req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', `/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return { cert: await readFile(join(dir, 'ca.crt'), 'utf8'), key: await readFile(join(dir, 'ca.key'), 'utf8') };
  });
}

/** A server certificate signed by `ca`, valid for `names` and for localhost / 127.0.0.1. */
export async function issueServerCert(ca: TestCa, names: string[]): Promise<ServerCert> {
  return withTmp(async (dir) => {
    await writeFile(join(dir, 'ca.crt'), ca.cert);
    await writeFile(join(dir, 'ca.key'), ca.key, { mode: 0o600 });
    const san = [...names.map((n) => `DNS:${n}`), 'DNS:localhost', 'IP:127.0.0.1'].join(',');
    await writeFile(
      join(dir, 'ext.cnf'),
      [
        `subjectAltName=${san}`,
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        '',
      ].join('\n'),
    );
    await openssl(dir, ['req', '-new', ...EC, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', `/CN=${names[0] ?? 'localhost'}`]);
    await openssl(dir, [
      'x509', '-req', '-in', 'srv.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', 'srv.crt', '-days', '2', '-extfile', 'ext.cnf',
    ]);
    return { cert: await readFile(join(dir, 'srv.crt'), 'utf8'), key: await readFile(join(dir, 'srv.key'), 'utf8') };
  });
}
