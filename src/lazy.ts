// Large libraries loaded on first use. undici is CommonJS: imported dynamically from the ESM bundle it
// arrives as a namespace whose only export is `default` (as in Node), while under Node's own loader the
// named exports are there too. Take whichever holds the API.
import type * as Undici from 'undici';

export async function loadUndici(): Promise<typeof Undici> {
  const m = (await import('undici')) as typeof Undici & { default?: typeof Undici };
  return m.default && typeof m.default.Agent === 'function' ? m.default : m;
}
