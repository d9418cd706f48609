// Text edits on the original source. Everything outside an edit's [start, end) is kept byte for byte.
import { InternalError } from '../errors.js';
import type { XElement, XNode } from './parse.js';

export interface Edit {
  start: number;
  end: number;
  text: string;
}

export function applyEdits(source: string, edits: readonly Edit[]): string {
  // Back to front so earlier offsets stay valid; at one offset the removal goes first, then the insertion.
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = source;
  let limit = Infinity;
  for (const e of sorted) {
    if (e.end > limit && e.start !== e.end) throw new InternalError(`overlapping web.xml edits at offset ${e.start}`);
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
    limit = e.start;
  }
  return out;
}

/** End offset of the node before `node` among its parent's children (element or comment), or the parent's start tag. */
export function previousEnd(parent: XElement, node: XNode): number {
  let end = parent.openEnd;
  for (const c of parent.children) {
    if (c === node) return end;
    if (c.type === 'element' || c.type === 'comment') end = c.end;
  }
  throw new InternalError('node is not a child of parent');
}

/** The whitespace that separates `node` from whatever precedes it ('' when something else is in between). */
export function gapBefore(source: string, parent: XElement, node: XElement | { start: number; end: number }): string {
  const gap = source.slice(previousEnd(parent, node as XNode), node.start);
  return /^\s*$/.test(gap) ? gap : '';
}

/** Remove a node together with the whitespace that led up to it, so removal undoes an insertion exactly. */
export function removal(source: string, parent: XElement, node: XElement | { start: number; end: number }): Edit {
  const prev = previousEnd(parent, node as XNode);
  const start = /^\s*$/.test(source.slice(prev, node.start)) ? prev : node.start;
  return { start, end: node.end, text: '' };
}

/** Insert `text` right after `anchor`, preceded by the same whitespace that precedes the anchor. */
export function insertionAfter(source: string, parent: XElement, anchor: XElement, text: string): Edit {
  return { start: anchor.end, end: anchor.end, text: gapBefore(source, parent, anchor) + text };
}

export function nextElementSibling(parent: XElement, el: XElement): XElement | undefined {
  const i = parent.children.indexOf(el);
  for (let j = i + 1; j < parent.children.length; j++) {
    const c = parent.children[j]!;
    if (c.type === 'element') return c;
  }
  return undefined;
}

/** The next element-or-comment sibling: used to see whether a disabling comment sits where the mapping was. */
export function nextMarkupSibling(parent: XElement, el: XElement): XNode | undefined {
  const i = parent.children.indexOf(el);
  for (let j = i + 1; j < parent.children.length; j++) {
    const c = parent.children[j]!;
    if (c.type === 'element' || c.type === 'comment') return c;
  }
  return undefined;
}
