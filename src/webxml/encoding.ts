// web.xml bytes <-> text, losslessly. Every byte we do not splice must come back identical, so we only
// accept encodings whose decode/encode round-trip is exact, and keep the BOM as we found it.
import { UnsafeEditError } from '../errors.js';

export type XmlEncoding = 'utf8' | 'latin1';

export interface DecodedXml {
  text: string;
  encoding: XmlEncoding;
  bom: boolean;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

export function decodeXml(bytes: Uint8Array, what = 'web.xml'): DecodedXml {
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) {
    throw new UnsafeEditError(`${what} is UTF-16 encoded; duo-jira only edits UTF-8 or ISO-8859-1 files.`);
  }
  const bom = UTF8_BOM.every((b, i) => bytes[i] === b);
  const body = bom ? bytes.subarray(3) : bytes;
  const declared = declaredEncoding(body);
  let encoding: XmlEncoding;
  if (!declared || /^utf-?8$/i.test(declared)) encoding = 'utf8';
  else if (/^(iso-8859-1|latin-?1|us-ascii|ascii)$/i.test(declared)) encoding = 'latin1';
  else throw new UnsafeEditError(`${what} declares encoding "${declared}", which duo-jira does not edit (UTF-8 or ISO-8859-1 only).`);
  let text: string;
  if (encoding === 'utf8') {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
    } catch {
      throw new UnsafeEditError(`${what} is not valid UTF-8 although it declares (or defaults to) UTF-8.`);
    }
  } else {
    text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1');
  }
  return { text, encoding, bom };
}

export function encodeXml(doc: DecodedXml): Buffer {
  if (doc.encoding === 'latin1' && /[^\u0000-\u00ff]/.test(doc.text)) {
    throw new UnsafeEditError('A value cannot be written in this ISO-8859-1 web.xml (character outside Latin-1).');
  }
  const body = Buffer.from(doc.text, doc.encoding);
  return doc.bom ? Buffer.concat([Buffer.from(UTF8_BOM), body]) : body;
}

function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 200)).toString('latin1');
  const m = /^<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
  return m?.[1];
}

/** The file's newline convention, so inserted lines match their neighbours. */
export function newlineOf(text: string): '\r\n' | '\n' {
  const lf = text.indexOf('\n');
  return lf > 0 && text[lf - 1] === '\r' ? '\r\n' : '\n';
}
