// A small XML tree that remembers where every element and comment sits in the source text, so edits can
// be spliced in as text instead of re-serializing the document. saxes is a spec-conformant, strict
// (well-formedness checking) parser; it is several times faster than a preserveOrder DOM build here,
// which matters because every install parses the file twice (before and after the edit).
import { SaxesParser } from 'saxes';
import { UnsafeEditError } from '../errors.js';

export interface XElement {
  type: 'element';
  name: string;
  /** Name without a namespace prefix. */
  local: string;
  attrs: Record<string, string>;
  /** Offset of '<'. */
  start: number;
  /** Offset just past the start tag's '>'. */
  openEnd: number;
  /** Offset of the end tag's '<' (== end for a self-closing element). */
  closeStart: number;
  /** Offset just past the element. */
  end: number;
  children: XNode[];
}
export interface XText { type: 'text'; text: string }
export interface XComment { type: 'comment'; text: string; start: number; end: number }
export interface XPi { type: 'pi'; target: string; body: string }
export type XNode = XElement | XText | XComment | XPi;

export interface XDoc {
  source: string;
  root: XElement;
}

export function parseXml(source: string, what = 'web.xml'): XDoc {
  const parser = new SaxesParser({ position: true });
  const stack: XElement[] = [];
  let root: XElement | undefined;
  const push = (n: XNode) => stack[stack.length - 1]?.children.push(n);

  parser.on('opentag', (tag) => {
    const end = parser.position;
    const start = source.lastIndexOf('<', end - 1);
    const el: XElement = {
      type: 'element', name: tag.name, local: localName(tag.name), attrs: { ...(tag.attributes as Record<string, string>) },
      start, openEnd: end, closeStart: end, end, children: [],
    };
    if (stack.length === 0) root = el;
    else push(el);
    stack.push(el);
  });
  parser.on('closetag', (tag) => {
    const el = stack.pop()!;
    el.end = parser.position;
    el.closeStart = tag.isSelfClosing ? el.end : source.lastIndexOf('</', el.end - 1);
  });
  parser.on('text', (text) => push({ type: 'text', text }));
  parser.on('cdata', (text) => push({ type: 'text', text }));
  parser.on('comment', (text) => {
    // saxes reports the comment before it has consumed the final '>', so find the terminator itself.
    const end = source.indexOf('-->', parser.position - 3) + 3;
    push({ type: 'comment', text, start: source.lastIndexOf('<!--', end - 1), end });
  });
  parser.on('processinginstruction', (pi) => push({ type: 'pi', target: pi.target, body: pi.body }));
  parser.on('doctype', (dt) => {
    // Entity declarations could change what text means; Jira's web.xml never has an internal subset.
    if (dt.includes('[')) throw new UnsafeEditError(`${what} has a DOCTYPE with an internal subset; duo-jira will not edit it.`);
  });

  try {
    parser.write(source).close();
  } catch (e) {
    if (e instanceof UnsafeEditError) throw e;
    throw new UnsafeEditError(
      `${what} is not well-formed XML: ${(e as Error).message}`,
      'Fix the file (or restore it from a backup) first; duo-jira never edits a broken file.',
    );
  }
  if (!root) throw new UnsafeEditError(`${what} has no root element.`);
  return { source, root };
}

export function localName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

export function prefixOf(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? '' : name.slice(0, i);
}

export function childElements(el: XElement, local?: string): XElement[] {
  const out: XElement[] = [];
  for (const c of el.children) if (c.type === 'element' && (local === undefined || c.local === local)) out.push(c);
  return out;
}

/** Text content as a servlet container reads it: all descendant text, trimmed. */
export function textOf(el: XElement): string {
  let s = '';
  const walk = (n: XElement) => {
    for (const c of n.children) {
      if (c.type === 'text') s += c.text;
      else if (c.type === 'element') walk(c);
    }
  };
  walk(el);
  return s.trim();
}

export function childText(el: XElement, local: string): string | undefined {
  const c = childElements(el, local)[0];
  return c ? textOf(c) : undefined;
}

/** 1-based line number of an offset, for messages an admin can act on. */
export function lineOf(source: string, offset: number): number {
  let n = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) n++;
  return n;
}
