// The web.xml engine: bytes in, bytes out, every step pure so dry-run and apply share it.
import { decodeXml, encodeXml, type DecodedXml } from './encoding.js';
import { planDisable, planEnable, planInstall, planUninstall, type WebXmlChange } from './edit.js';
import { locate, type WebXmlFacts } from './locate.js';
import { parseXml, WEBXML_DEEP } from './parse.js';
import { applyEdits } from './splice.js';
import { verifyChange } from './verify.js';

export { mergeParams } from './edit.js';
export type { WebXmlFacts } from './locate.js';
export type { Params } from './template.js';

export interface WebXmlFile {
  bytes: Buffer;
  decoded: DecodedXml;
  facts: WebXmlFacts;
}

export function readWebXml(bytes: Buffer): WebXmlFile {
  const decoded = decodeXml(bytes);
  return { bytes, decoded, facts: locate(parseXml(decoded.text, 'web.xml', WEBXML_DEEP)) };
}

export interface WebXmlResult extends WebXmlChange {
  before: Buffer;
  after: Buffer;
  changed: boolean;
  afterFacts: WebXmlFacts;
}

export type WebXmlAction =
  | { kind: 'install'; set: Record<string, string | undefined> }
  | { kind: 'uninstall' }
  | { kind: 'disable' }
  | { kind: 'enable' };

export function changeWebXml(file: WebXmlFile, action: WebXmlAction): WebXmlResult {
  const change =
    action.kind === 'install' ? planInstall(file.facts, action.set)
    : action.kind === 'uninstall' ? planUninstall(file.facts)
    : action.kind === 'disable' ? planDisable(file.facts)
    : planEnable(file.facts);
  const text = applyEdits(file.decoded.text, change.edits);
  if (text === file.decoded.text) {
    return { ...change, edits: [], before: file.bytes, after: file.bytes, changed: false, afterFacts: file.facts };
  }
  const afterFacts = verifyChange(file.facts, change.edits, text, change.intent);
  const after = encodeXml({ ...file.decoded, text });
  return { ...change, before: file.bytes, after, changed: !after.equals(file.bytes), afterFacts };
}
