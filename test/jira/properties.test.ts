import { describe, expect, it } from 'vitest';
import { parseProperties, parsePropertiesEntries, unescapeProperty } from '../../src/jira/properties.js';

describe('parseProperties', () => {
  const cases: Array<[string, string, Record<string, string>]> = [
    ['key = value with spaces around =', 'jira.home = /var/atlassian/application-data/jira', { 'jira.home': '/var/atlassian/application-data/jira' }],
    ['key=value', 'a=b', { a: 'b' }],
    ['key:value', 'a:b', { a: 'b' }],
    ['key : value', 'a  :   b', { a: 'b' }],
    ['whitespace separator', 'a b', { a: 'b' }],
    ['whitespace then =', 'a   =b', { a: 'b' }],
    ['only the first separator counts', 'a=b=c:d', { a: 'b=c:d' }],
    ['empty value', 'a=\nb', { a: '', b: '' }],
    ['# and ! comments', '# c\n! d\n  # indented\na=1', { a: '1' }],
    ['blank lines', '\n\n   \na=1\n\n', { a: '1' }],
    ['trailing whitespace kept in value', 'a=1  ', { a: '1  ' }],
    ['leading whitespace of line ignored', '   a=1', { a: '1' }],
    ['escaped backslashes (Windows path)', 'jira.home=C:\\\\Program Files\\\\Atlassian\\\\JIRA', { 'jira.home': 'C:\\Program Files\\Atlassian\\JIRA' }],
    ['escaped colon', 'jira.home=C\\:\\\\data', { 'jira.home': 'C:\\data' }],
    ['unescaped backslash is dropped (Java behaviour)', 'p=C:\\Program', { p: 'C:Program' }],
    ['\\t becomes a tab', 'p=C:\\temp', { p: 'C:\temp' }],
    ['unicode escape', 'u=caf\\u00e9', { u: 'café' }],
    ['escaped separator in key', 'a\\=b=c', { 'a=b': 'c' }],
    ['escaped space in key', 'a\\ b = c', { 'a b': 'c' }],
    ['line continuation strips leading blanks', 'a=one, \\\n     two, \\\n\tthree', { a: 'one, two, three' }],
    ['even backslashes do not continue', 'a=x\\\\\nb=y', { a: 'x\\', b: 'y' }],
    ['continuation line starting with # is not a comment', 'a=x\\\n#y', { a: 'x#y' }],
    ['comment line ending in backslash does not continue', '# c \\\na=1', { a: '1' }],
    ['continuation at EOF', 'a=x\\', { a: 'x' }],
    ['CRLF and CR line ends', 'a=1\r\nb=2\rc=3', { a: '1', b: '2', c: '3' }],
    ['last duplicate wins', 'a=1\na=2', { a: '2' }],
    ['BOM ignored', '\uFEFFa=1', { a: '1' }],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    expect(Object.fromEntries(parseProperties(text))).toEqual(expected);
  });

  it('reports raw values and line numbers', () => {
    const e = parsePropertiesEntries('# x\n\njira.home = C:\\\\J \\\n  more\nb=2');
    expect(e).toEqual([
      { key: 'jira.home', value: 'C:\\J more', rawValue: 'C:\\\\J more', line: 3 },
      { key: 'b', value: '2', rawValue: '2', line: 5 },
    ]);
  });

  it('rejects a malformed \\u escape like Java', () => {
    expect(() => unescapeProperty('\\u12')).toThrow(/uxxxx/);
  });
});
