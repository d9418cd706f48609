// bin/user.sh: the account Jira runs as. Installer form (reference jira.md §1):
//   # START INSTALLER MAGIC ! DO NOT EDIT !
//   JIRA_USER="jira" ##
//   # END INSTALLER MAGIC ! DO NOT EDIT !
//   export JIRA_USER
// Pure: text in, user name out.

const ASSIGNMENT = /^\s*(?:export\s+)?JIRA_USER=(?:"([^"]*)"|'([^']*)'|([^\s#;"']*))/;

/**
 * The JIRA_USER value, or undefined when it is empty or never assigned (then start-jira.sh runs
 * Jira as whoever invokes it — typical of tarball installs). The last uncommented assignment wins,
 * as in the shell.
 */
export function parseJiraUser(text: string): string | undefined {
  let user: string | undefined;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    if (/^\s*#/.test(line)) continue;
    const m = ASSIGNMENT.exec(line);
    if (!m) continue;
    user = (m[1] ?? m[2] ?? m[3] ?? '').trim();
  }
  return user ? user : undefined;
}
