// Render the duoauth <filter> / <filter-mapping> fragments in the file's own style: its element prefix,
// indentation unit, base indentation and newline.
//
// The output is exactly what xmlbuilder2's pretty printer produces for the same elements (test/webxml/
// render.test.ts checks that over many values and styles). xmlbuilder2 itself is not loaded at run time:
// with its DOM it costs ~20 ms to load, a third of install's whole time budget (bench/).
import { DUO, type Params } from './template.js';

export interface Style {
  prefix: string;
  /** Whitespace before the neighbouring element on its line. */
  baseIndent: string;
  /** One level of nesting, e.g. four spaces or a tab. */
  unit: string;
  newline: '\n' | '\r\n';
}

/** An element with text content, or with child elements. */
type El = { name: string; text: string } | { name: string; children: El[] };

export function renderFilter(params: Params, style: Style, name = DUO.filterName): string {
  return render({
    name: 'filter',
    children: [
      { name: 'filter-name', text: name },
      { name: 'filter-class', text: DUO.filterClass },
      ...params.map(([n, v]) => initParam(n, v)),
    ],
  }, style);
}

export function renderMapping(style: Style, name = DUO.filterName): string {
  return render({
    name: 'filter-mapping',
    children: [
      { name: 'filter-name', text: name },
      ...DUO.mapping.urlPatterns.map((u) => ({ name: 'url-pattern', text: u })),
      ...DUO.mapping.dispatchers.map((d) => ({ name: 'dispatcher', text: d })),
    ],
  }, style);
}

export function renderInitParam(name: string, value: string, style: Style): string {
  return render(initParam(name, value), style);
}

function initParam(name: string, value: string): El {
  return { name: 'init-param', children: [{ name: 'param-name', text: name }, { name: 'param-value', text: value }] };
}

/** Escape element content as xmlbuilder2 does: &, < and > (so "]]>" can never appear). */
export function escapeText(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The first line carries no indentation: the caller splices it right where the neighbour's gap ends. */
function render(el: El, style: Style): string {
  const lines: string[] = [];
  const tag = (n: string) => (style.prefix ? `${style.prefix}:${n}` : n);
  const walk = (e: El, depth: number) => {
    const pad = depth === 0 ? '' : style.baseIndent + style.unit.repeat(depth);
    if ('text' in e) {
      lines.push(`${pad}<${tag(e.name)}>${escapeText(e.text)}</${tag(e.name)}>`);
      return;
    }
    lines.push(`${pad}<${tag(e.name)}>`);
    for (const c of e.children) walk(c, depth + 1);
    lines.push(`${depth === 0 ? style.baseIndent : pad}</${tag(e.name)}>`);
  };
  walk(el, 0);
  return lines.join(style.newline);
}
