import { describe, expect, it } from 'vitest';
import { parseJiraUser } from '../../src/jira/user-sh.js';

const installer = (line: string) =>
  `# START INSTALLER MAGIC ! DO NOT EDIT !\n${line}\n# END INSTALLER MAGIC ! DO NOT EDIT !\n\nexport JIRA_USER\n`;

describe('parseJiraUser', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['installer form', installer('JIRA_USER="jira" ##'), 'jira'],
    ['second instance', installer('JIRA_USER="jira1" ##'), 'jira1'],
    ['empty (tarball)', installer('JIRA_USER="" ##'), undefined],
    ['unquoted', 'JIRA_USER=atlassian\nexport JIRA_USER', 'atlassian'],
    ['single quotes', "JIRA_USER='svc-jira'", 'svc-jira'],
    ['export form', 'export JIRA_USER="jira"', 'jira'],
    ['indented', '   JIRA_USER="jira"', 'jira'],
    ['commented out', '#JIRA_USER="jira"\n', undefined],
    ['last assignment wins', 'JIRA_USER="a"\nJIRA_USER="b"', 'b'],
    ['CRLF file', 'JIRA_USER="jira" ##\r\nexport JIRA_USER\r\n', 'jira'],
    ['no assignment', 'export JIRA_USER\n', undefined],
    ['empty file', '', undefined],
    ['other variable', 'MY_JIRA_USER="x"', undefined],
  ];
  it.each(cases)('%s', (_n, text, expected) => {
    expect(parseJiraUser(text)).toBe(expected);
  });
});
