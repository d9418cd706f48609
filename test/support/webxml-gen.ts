// Generate Jira-like web.xml files in many formatting styles, for property-style tests of the editor.
export interface GenStyle {
  newline?: '\n' | '\r\n';
  indent?: string;
  blankLines?: boolean;
  prefix?: string;
  commentBeforeSecurity?: boolean;
  namespace?: string;
  bom?: boolean;
  declaration?: string;
  securityName?: string;
  extraFilters?: number;
}

export const KEYS = {
  ikey: 'DIXXXXXXXXXXXXXXXXXX',
  skey: 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef',
  akey: 'useacustomerprovidedapplicationsecretkey',
  host: 'api-12345678.duosecurity.com',
};

export function genWebXml(s: GenStyle = {}): string {
  const nl = s.newline ?? '\n';
  const i1 = s.indent ?? '    ';
  const i2 = i1 + i1;
  const gap = s.blankLines === false ? nl : nl + nl;
  const p = s.prefix ? `${s.prefix}:` : '';
  const ns = s.namespace ?? 'http://java.sun.com/xml/ns/javaee';
  const xmlns = s.prefix ? `xmlns:${s.prefix}="${ns}"` : `xmlns="${ns}"`;
  const el = (name: string, body: string[]) => [`${i1}<${p}${name}>`, ...body.map((b) => `${i2}${b}`), `${i1}</${p}${name}>`].join(nl);
  const leaf = (name: string, v: string) => `<${p}${name}>${v}</${p}${name}>`;
  const filter = (name: string, cls: string) => el('filter', [leaf('filter-name', name), leaf('filter-class', cls)]);
  const mapping = (name: string, ...disp: string[]) => el('filter-mapping', [leaf('filter-name', name), leaf('url-pattern', '/*'), ...disp.map((d) => leaf('dispatcher', d))]);
  const sec = s.securityName ?? 'security';
  const extra = Array.from({ length: s.extraFilters ?? 2 }, (_, k) => filter(`extra${k}`, `com.example.Extra${k}`));
  const blocks = [
    `${i1}<${p}display-name>Atlassian JIRA Web Application</${p}display-name>`,
    filter('login', 'com.atlassian.jira.web.filters.JiraLoginFilter'),
    filter('trustedapps', 'com.atlassian.jira.security.auth.trustedapps.TrustedApplicationFilter'),
    (s.commentBeforeSecurity ? `${i1}<!-- Seraph: <filter> security </filter> must come after login -->${nl}` : '') +
      filter(sec, 'com.atlassian.jira.security.JiraSecurityFilter'),
    ...extra,
    mapping('login', 'REQUEST', 'FORWARD'),
    mapping('trustedapps'),
    mapping(sec, 'REQUEST', 'FORWARD'),
    ...extra.map((_, k) => mapping(`extra${k}`)),
    el('listener', [leaf('listener-class', 'com.atlassian.jira.startup.LauncherContextListener')]),
  ];
  const decl = s.declaration ?? '<?xml version="1.0" encoding="UTF-8"?>';
  return (s.bom ? '\uFEFF' : '') + `${decl}${nl}<${p}web-app ${xmlns}${nl}         version="3.0">${nl}${blocks.join(gap)}${nl}</${p}web-app>${nl}`;
}

/** Every combination of the formatting knobs that matter to the splicer. */
export function styleMatrix(): GenStyle[] {
  const out: GenStyle[] = [];
  for (const newline of ['\n', '\r\n'] as const)
    for (const indent of ['  ', '    ', '\t', '   '])
      for (const blankLines of [true, false])
        for (const commentBeforeSecurity of [false, true])
          for (const prefix of ['', 'j'])
            for (const bom of [false, true]) out.push({ newline, indent, blankLines, commentBeforeSecurity, prefix, bom });
  return out;
}
