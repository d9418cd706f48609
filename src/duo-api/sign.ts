// Duo Auth API request signing (signature v1/v2, HMAC over a canonical string). Pure: no I/O.
//
// The legacy Jira filter (duo-client 0.3.0) signs with sig v2 + HMAC-SHA1, so that is what the
// pre-flight uses: a key pair that passes here is one the filter can use.

import { createHmac } from 'node:crypto';

export type Digest = 'sha1' | 'sha512';
export type SigVersion = 1 | 2;

export interface CanonInput {
  /** Exactly the string sent in the Date header (ignored for sig v1). */
  date: string;
  method: string;
  /** API hostname; lower-cased here. No scheme, no port. */
  host: string;
  /** Path as sent (case preserved), without the query string. */
  path: string;
  params?: Record<string, string>;
}

export interface SignInput extends CanonInput {
  ikey: string;
  skey: string;
  digest?: Digest;
}

export interface Signed {
  canonical: string;
  /** Lower-case hex HMAC. */
  signature: string;
  /** Value for the Authorization header: `Basic base64(ikey:hexsig)`. */
  authorization: string;
}

// Bytes left as-is by Duo's encoding: A-Z a-z 0-9 _ . - ~ (everything else is %XX, upper-case hex).
function isUnreserved(b: number): boolean {
  return (
    (b >= 0x41 && b <= 0x5a) || // A-Z
    (b >= 0x61 && b <= 0x7a) || // a-z
    (b >= 0x30 && b <= 0x39) || // 0-9
    b === 0x5f || // _
    b === 0x2e || // .
    b === 0x2d || // -
    b === 0x7e //    ~
  );
}

/** Percent-encode every UTF-8 byte except `A-Z a-z 0-9 _ . - ~` (space → `%20`, never `+`). */
export function duoEncode(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    out += isUnreserved(b) ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/**
 * The params line: `key=value` pairs joined with `&`, sorted by encoded key (then encoded value).
 * Empty string when there are no params. The same string is the GET query / POST form body.
 */
export function canonParams(params: Record<string, string> = {}): string {
  const pairs = Object.entries(params).map(([k, v]) => [duoEncode(k), duoEncode(v)] as const);
  // Encoded strings are pure ASCII, so code-unit order is byte order (what Duo's clients sort by).
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** Canonical string for sig v2 (`date, METHOD, host, path, params`) or v1 (no date line). */
export function canonicalize(input: CanonInput, version: SigVersion = 2): string {
  const lines = [input.method.toUpperCase(), input.host.toLowerCase(), input.path, canonParams(input.params)];
  if (version === 2) lines.unshift(input.date);
  return lines.join('\n');
}

function sign(input: SignInput, version: SigVersion): Signed {
  const canonical = canonicalize(input, version);
  const signature = createHmac(input.digest ?? 'sha1', Buffer.from(input.skey, 'utf8'))
    .update(canonical, 'utf8')
    .digest('hex');
  const authorization = 'Basic ' + Buffer.from(`${input.ikey}:${signature}`, 'utf8').toString('base64');
  return { canonical, signature, authorization };
}

/** Sign a request with signature v2 (default HMAC-SHA1, as the legacy Jira filter does). */
export function signV2(input: SignInput): Signed {
  return sign(input, 2);
}

/** Sign with signature v1 (no Date line). Only for completeness; Duo clients use v2 or later. */
export function signV1(input: SignInput): Signed {
  return sign(input, 1);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** RFC 2822 date in UTC, as duo_client_python sends it: `Tue, 21 Aug 2012 17:29:18 -0000`. */
export function rfc2822Date(d: Date): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${p2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} -0000`
  );
}
