// Duo key and host rules (../shared/reference/duo.md §1, §5), masking, and akey generation. Pure: no I/O.
import { randomBytes } from 'node:crypto';

export interface Credentials {
  ikey: string;
  skey: string;
  akey: string;
  host: string;
}

export interface Finding {
  field: keyof Credentials;
  message: string;
}

export interface Validation {
  errors: Finding[];
  warnings: Finding[];
}

const ALNUM = /^[A-Za-z0-9]+$/;

/** DuoWeb.signRequest's own rules (exact lengths) plus sanity checks that catch copy-paste mistakes. */
export function validateCredentials(c: Partial<Credentials>): Validation {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const err = (field: keyof Credentials, message: string) => errors.push({ field, message });
  const warn = (field: keyof Credentials, message: string) => warnings.push({ field, message });

  if (c.ikey !== undefined) {
    if (c.ikey.length !== 20) err('ikey', `integration key (-i) must be exactly 20 characters (got ${c.ikey.length}), like DIXXXXXXXXXXXXXXXXXX; copy it from the Duo Admin Panel application page`);
    else if (!ALNUM.test(c.ikey)) err('ikey', 'integration key (-i) must contain only letters and digits (check for spaces or quotes from copy-paste)');
    else if (!/^DI[A-Z0-9]{18}$/.test(c.ikey)) warn('ikey', 'integration key does not look like Duo\'s usual "DI" + 18 upper-case letters/digits; double-check it');
  }
  if (c.skey !== undefined) {
    if (c.skey.length !== 40) err('skey', `secret key (-s) must be exactly 40 characters (got ${c.skey.length}); copy it from the Duo Admin Panel application page`);
    else if (!ALNUM.test(c.skey)) err('skey', 'secret key (-s) must contain only letters and digits (check for spaces or quotes from copy-paste)');
  }
  if (c.akey !== undefined) {
    if (c.akey.length < 40) err('akey', `application key (--akey) must be at least 40 characters (got ${c.akey.length}); omit --akey to have one generated`);
    else if (!/^[\x21-\x7e]+$/.test(c.akey)) err('akey', 'application key (--akey) must be printable ASCII without spaces');
  }
  if (c.host !== undefined) validateHost(c.host, err, warn);
  return { errors, warnings };
}

function validateHost(host: string, err: (f: 'host', m: string) => void, warn: (f: 'host', m: string) => void): void {
  if (/^[a-z]+:\/\//i.test(host)) return err('host', `API hostname (-h) must be a bare hostname without "${host.split('//')[0]}//"; use ${host.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '')}`);
  if (/[/:\s]/.test(host)) return err('host', 'API hostname (-h) must be a bare hostname: no path, port or spaces, like api-XXXXXXXX.duosecurity.com');
  const label = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
  const labels = host.split('.');
  if (host.length > 253 || labels.length < 2 || !labels.every((l) => label.test(l))) {
    // A key pasted into -h by mistake must not be echoed back.
    const shown = /^[A-Za-z0-9]{20,}$/.test(host) ? `${mask(host)} (that looks like a key, not a hostname)` : `"${host}"`;
    return err('host', `API hostname (-h) ${shown} is not a valid hostname; it looks like api-XXXXXXXX.duosecurity.com`);
  }
  if (!/^api-[a-z0-9]+\.(duosecurity|duofederal)\.com$/i.test(host)) warn('host', `API hostname "${host}" is not of the usual form api-XXXXXXXX.duosecurity.com; double-check it`);
}

/** A fresh application key: 64 hex characters from the OS CSPRNG (Duo asks for at least 40). */
export function generateAkey(): string {
  return randomBytes(32).toString('hex');
}

/** First four characters and an ellipsis: enough to recognise a key, never enough to use it. */
export function mask(secret: string): string {
  return `${secret.slice(0, 4)}…`;
}

/** Replace every occurrence of each secret (raw and XML-escaped, and both inside JSON strings) in `text` by its mask. */
export function maskSecrets(text: string, secrets: Iterable<string | undefined>): string {
  const json = (v: string) => JSON.stringify(v).slice(1, -1);
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 8) continue;
    const escaped = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    // --json output holds the key (and web.xml diffs) JSON-escaped: an akey with " or \ would slip through.
    const forms = new Map([[s, mask(s)], [escaped, mask(s)], [json(s), json(mask(s))], [json(escaped), json(mask(s))]]);
    for (const [form, masked] of [...forms].sort(([a], [b]) => b.length - a.length)) out = out.split(form).join(masked);
  }
  return out;
}
