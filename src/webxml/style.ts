// Read the file's own formatting around an element so inserted blocks look like their neighbours.
import { newlineOf } from './encoding.js';
import { childElements, prefixOf, type XElement } from './parse.js';
import type { Style } from './render.js';

export function styleNear(source: string, el: XElement): Style {
  const baseIndent = indentOf(source, el.start) ?? '';
  const child = childElements(el)[0];
  const childIndent = child ? indentOf(source, child.start) : undefined;
  let unit = childIndent !== undefined && childIndent.startsWith(baseIndent) ? childIndent.slice(baseIndent.length) : '';
  if (!unit) unit = baseIndent.includes('\t') ? '\t' : '    ';
  return { prefix: prefixOf(el.name), baseIndent, unit, newline: newlineOf(source) };
}

/** Whitespace from the start of the line to `offset`, or undefined when other text precedes it on the line. */
function indentOf(source: string, offset: number): string | undefined {
  const lineStart = Math.max(source.lastIndexOf('\n', offset - 1) + 1, 0);
  const lead = source.slice(lineStart, offset);
  return /^[ \t]*$/.test(lead) ? lead : undefined;
}
