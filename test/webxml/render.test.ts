// The fragment renderer must produce exactly what xmlbuilder2 produces (the reference renderer).
import { fragment } from 'xmlbuilder2';
import { describe, expect, it } from 'vitest';
import { renderFilter, renderInitParam, renderMapping, type Style } from '../../src/webxml/render.js';
import { DUO, type Params } from '../../src/webxml/template.js';
import { childElements, parseXml } from '../../src/webxml/parse.js';

function reference(build: (f: ReturnType<typeof fragment>, p: (n: string) => string) => void, style: Style): string {
  const p = (n: string) => (style.prefix ? `${style.prefix}:${n}` : n);
  const f = fragment();
  build(f, p);
  const xml = f.end({ prettyPrint: true, indent: style.unit, newline: style.newline, headless: true });
  return xml.split(style.newline).map((line, i) => (i === 0 || line === '' ? line : style.baseIndent + line)).join(style.newline);
}

const styles: Style[] = [];
for (const prefix of ['', 'j']) for (const baseIndent of ['', '    ', '\t', '  ']) for (const unit of ['    ', '\t', '  ']) for (const newline of ['\n', '\r\n'] as const) styles.push({ prefix, baseIndent, unit, newline });

const values = ['DIXXXXXXXXXXXXXXXXXX', 'a&b<c>d"e\'f', ']]>', 'uni ü 𝄞', '  spaced  ', '/rest/api/2/ /rest/gadget/1.0/', 'x'.repeat(64)];
// Where the two differ on purpose: xmlbuilder2 leaves text that already looks like an entity reference
// ("&amp;") unescaped, which would change the value, and writes an empty element as <x/>.
const tricky = ['&amp;', 'a&lt;b', '&#x41;', ''];

describe('renderer ≡ xmlbuilder2', () => {
  it(`filter, mapping and init-param over ${styles.length} styles × ${values.length} values`, () => {
    for (const s of styles) {
      const params: Params = values.map((v, i) => [`p${i}${v.slice(0, 3)}`, v]);
      expect(renderFilter(params, s)).toBe(reference((f, p) => {
        const e = f.ele(p('filter'));
        e.ele(p('filter-name')).txt(DUO.filterName);
        e.ele(p('filter-class')).txt(DUO.filterClass);
        for (const [n, v] of params) { const ip = e.ele(p('init-param')); ip.ele(p('param-name')).txt(n); ip.ele(p('param-value')).txt(v); }
      }, s));
      expect(renderMapping(s)).toBe(reference((f, p) => {
        const m = f.ele(p('filter-mapping'));
        m.ele(p('filter-name')).txt(DUO.filterName);
        for (const u of DUO.mapping.urlPatterns) m.ele(p('url-pattern')).txt(u);
        for (const d of DUO.mapping.dispatchers) m.ele(p('dispatcher')).txt(d);
      }, s));
      for (const v of values) {
        expect(renderInitParam('x', v, s)).toBe(reference((f, p) => { const ip = f.ele(p('init-param')); ip.ele(p('param-name')).txt('x'); ip.ele(p('param-value')).txt(v); }, s));
      }
    }
  });
});

describe('values survive a round trip', () => {
  it.each([...values, ...tricky])('%j', (v) => {
    const xml = renderFilter([['v', v]], styles[0]!);
    const parsed = parseXml(xml).root;
    const pv = childElements(childElements(parsed, 'init-param')[0]!, 'param-value')[0]!;
    expect(pv.children.map((c) => (c.type === 'text' ? c.text : '')).join('')).toBe(v);
  });
});
