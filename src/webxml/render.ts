// Render the duoauth <filter> / <filter-mapping> fragments with xmlbuilder2 (so values are escaped), in the
// file's own style: its element prefix, indentation unit, base indentation and newline.
import { fragment } from 'xmlbuilder2';
import { DUO, type Params } from './template.js';

export interface Style {
  prefix: string;
  /** Whitespace before the neighbouring element on its line. */
  baseIndent: string;
  /** One level of nesting, e.g. four spaces or a tab. */
  unit: string;
  newline: '\n' | '\r\n';
}

export function renderFilter(params: Params, style: Style, name = DUO.filterName): string {
  const p = (n: string) => (style.prefix ? `${style.prefix}:${n}` : n);
  const f = fragment().ele(p('filter'));
  f.ele(p('filter-name')).txt(name);
  f.ele(p('filter-class')).txt(DUO.filterClass);
  for (const [n, v] of params) {
    const ip = f.ele(p('init-param'));
    ip.ele(p('param-name')).txt(n);
    ip.ele(p('param-value')).txt(v);
  }
  return finish(f, style);
}

export function renderMapping(style: Style, name = DUO.filterName): string {
  const p = (n: string) => (style.prefix ? `${style.prefix}:${n}` : n);
  const m = fragment().ele(p('filter-mapping'));
  m.ele(p('filter-name')).txt(name);
  for (const u of DUO.mapping.urlPatterns) m.ele(p('url-pattern')).txt(u);
  for (const d of DUO.mapping.dispatchers) m.ele(p('dispatcher')).txt(d);
  return finish(m, style);
}

export function renderInitParam(name: string, value: string, style: Style): string {
  const p = (n: string) => (style.prefix ? `${style.prefix}:${n}` : n);
  const ip = fragment().ele(p('init-param'));
  ip.ele(p('param-name')).txt(name);
  ip.ele(p('param-value')).txt(value);
  return finish(ip, style);
}

/** Escape a value for element content, exactly as the fragments do. */
export function escapeText(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

type Node = ReturnType<typeof fragment>;

function finish(node: Node, style: Style): string {
  const xml = node.up().end({ prettyPrint: true, indent: style.unit, newline: style.newline, headless: true });
  // Indent every line after the first: the first line is placed right where the caller splices it.
  return xml.split(style.newline).map((line, i) => (i === 0 || line === '' ? line : style.baseIndent + line)).join(style.newline);
}
