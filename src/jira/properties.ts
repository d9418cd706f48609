// Java .properties parsing (java.util.Properties#load semantics). Pure: text in, data out.
//
// Rules implemented:
// - natural lines end at \n, \r or \r\n; a line ending in an odd number of backslashes continues on the
//   next line, whose leading whitespace is dropped;
// - blank lines and lines whose first non-blank character is '#' or '!' are comments (a comment line
//   is never continued);
// - the key ends at the first unescaped '=', ':' or whitespace; whitespace around the separator and
//   one '=' or ':' are skipped; the value is the rest of the logical line (trailing blanks kept);
// - escapes: \t \n \r \f, \uXXXX, and '\' before any other character yields that character
//   (so C:\\Program Files → C:\Program Files, and an unescaped C:\temp becomes "C:temp" — as in Java);
// - a later duplicate key replaces an earlier one.

export interface PropertyEntry {
  key: string;
  /** Unescaped value, exactly as Java would return it. */
  value: string;
  /** The value as written (after the separator, continuations joined, escapes NOT processed). */
  rawValue: string;
  /** 1-based line number where the entry starts. */
  line: number;
}

const BLANK = new Set([' ', '\t', '\f']);

/** Split into logical lines (continuations joined), skipping comments and blank lines. */
function logicalLines(text: string): Array<{ text: string; line: number }> {
  const natural = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const out: Array<{ text: string; line: number }> = [];
  let current: string | undefined;
  let startLine = 0;
  for (let i = 0; i < natural.length; i++) {
    let line = natural[i] ?? '';
    if (current === undefined) {
      const trimmed = line.replace(/^[ \t\f]+/, '');
      if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) continue;
      line = trimmed;
      startLine = i + 1;
    } else {
      line = line.replace(/^[ \t\f]+/, '');
    }
    const trailing = /\\+$/.exec(line)?.[0].length ?? 0;
    if (trailing % 2 === 1) {
      current = (current ?? '') + line.slice(0, -1);
      if (i === natural.length - 1) out.push({ text: current, line: startLine });
      continue;
    }
    out.push({ text: (current ?? '') + line, line: startLine });
    current = undefined;
  }
  return out;
}

/** Process Java escapes in a key or value. */
export function unescapeProperty(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[++i];
    if (n === undefined) break;
    if (n === 't') out += '\t';
    else if (n === 'n') out += '\n';
    else if (n === 'r') out += '\r';
    else if (n === 'f') out += '\f';
    else if (n === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Error(`Malformed \\uxxxx escape "\\u${hex}" in properties text`);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else out += n;
  }
  return out;
}

/** Every key/value entry in file order (duplicates included). */
export function parsePropertiesEntries(text: string): PropertyEntry[] {
  const entries: PropertyEntry[] = [];
  for (const { text: l, line } of logicalLines(text)) {
    // Key: up to the first unescaped separator or blank.
    let i = 0;
    let keyEnd = l.length;
    let hasSep = false;
    for (; i < l.length; i++) {
      const c = l[i] as string;
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === '=' || c === ':') {
        keyEnd = i;
        hasSep = true;
        i++;
        break;
      }
      if (BLANK.has(c)) {
        keyEnd = i;
        break;
      }
    }
    // Skip blanks, then (if the key ended on a blank) one optional separator, then blanks.
    while (i < l.length && BLANK.has(l[i] as string)) i++;
    if (!hasSep && i < l.length && (l[i] === '=' || l[i] === ':')) {
      i++;
      while (i < l.length && BLANK.has(l[i] as string)) i++;
    }
    const rawValue = l.slice(i);
    entries.push({ key: unescapeProperty(l.slice(0, keyEnd)), value: unescapeProperty(rawValue), rawValue, line });
  }
  return entries;
}

/** Parse Java .properties text into a Map (last duplicate wins, like java.util.Properties). */
export function parseProperties(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of parsePropertiesEntries(text)) map.set(e.key, e.value);
  return map;
}
