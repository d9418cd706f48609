// Read Tomcat's conf/server.xml: HTTP connectors, the Jira Context path, and the URLs derived from them
// (local health-check URL, public URL behind a proxy). Pure: text in, data out. Uses a real XML parser,
// so commented-out connectors (common in Jira's shipped server.xml) are ignored.
import { SaxesParser } from 'saxes';

export type ConnectorKind = 'http' | 'ajp' | 'other';

export interface Connector {
  kind: ConnectorKind;
  /** The protocol attribute as written ('' when absent: Tomcat then uses HTTP/1.1). */
  protocol: string;
  /** Undefined when missing or not a number (e.g. a ${property} placeholder). */
  port?: number;
  /** Raw port attribute, kept for messages. */
  portAttr?: string;
  /** Connector@address (bind address), if set. */
  address?: string;
  /** SSLEnabled="true": Tomcat itself terminates TLS on this port. */
  ssl: boolean;
  /** Connector@scheme, default 'http'. */
  scheme: string;
  secure: boolean;
  proxyName?: string;
  proxyPort?: number;
  redirectPort?: number;
}

export interface HttpEndpoint {
  port: number;
  ssl: boolean;
  scheme: string;
  proxyName?: string;
  proxyPort?: number;
  address?: string;
}

export interface ServerXmlInfo {
  /** Every <Connector> under <Server>/<Service>, in file order (AJP included, marked kind 'ajp'). */
  connectors: Connector[];
  /** The HTTP connector used for local probes; undefined when server.xml has none (defaults then apply). */
  http?: HttpEndpoint;
  /** Normalised: '' for root, else '/jira' style (leading slash, no trailing slash). */
  contextPath: string;
  /** e.g. http://127.0.0.1:8080/jira — for probing Jira from the same machine. */
  localBaseUrl: string;
  /** localBaseUrl + '/status'. */
  statusUrl: string;
  /** <scheme>://<proxyName>[:<proxyPort>]<contextPath> when an HTTP connector has proxyName (default ports omitted). */
  publicBaseUrl?: string;
  /** Server@port (Tomcat shutdown port), if numeric; -1 means disabled. */
  shutdownPort?: number;
  warnings: string[];
}

export const DEFAULT_HTTP_PORT = 8080;

interface El {
  name: string;
  attrs: Record<string, string>;
  path: string[];
}

function parseElements(text: string, fileName: string): El[] {
  const parser = new SaxesParser({ xmlns: false, position: true, fileName });
  const stack: string[] = [];
  const els: El[] = [];
  let error: Error | undefined;
  let sawRoot = false;
  parser.on('error', (e) => {
    error ??= e;
  });
  parser.on('opentag', (tag) => {
    sawRoot = true;
    els.push({ name: tag.name, attrs: { ...(tag.attributes as Record<string, string>) }, path: [...stack] });
    if (!tag.isSelfClosing) stack.push(tag.name);
  });
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) stack.pop();
  });
  try {
    parser.write(text).close();
  } catch (e) {
    error ??= e as Error;
  }
  if (error) throw new Error(`${fileName} is not well-formed XML (${error.message}); fix or restore it before running duo-jira.`);
  if (!sawRoot) throw new Error(`${fileName} is empty or has no root element.`);
  return els;
}

function attr(attrs: Record<string, string>, name: string): string | undefined {
  // Tomcat attribute names are case-sensitive in principle, but hand-edited files vary (sslEnabled).
  if (name in attrs) return attrs[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(attrs)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function intAttr(v: string | undefined): number | undefined {
  if (v === undefined || !/^\s*-?\d+\s*$/.test(v)) return undefined;
  return Number(v.trim());
}

function connectorKind(protocol: string): ConnectorKind {
  const p = protocol.trim();
  if (p === '' || /^HTTP\/1\.1$/i.test(p) || /^org\.apache\.coyote\.http11\./.test(p)) return 'http';
  if (/^AJP\//i.test(p) || /^org\.apache\.coyote\.ajp\./.test(p)) return 'ajp';
  return 'other';
}

/** '' , '/' → ''; 'jira', '/jira/' → '/jira'. */
export function normaliseContextPath(path: string | undefined): string {
  const p = (path ?? '').trim().replace(/\/+$/, '');
  if (p === '') return '';
  return p.startsWith('/') ? p : `/${p}`;
}

function hostForUrl(address: string | undefined): string {
  const a = address?.trim();
  // Wildcard or unset bind address: probe over loopback.
  if (!a || a === '0.0.0.0' || a === '::' || a === '[::]' || a === '*') return '127.0.0.1';
  if (a.includes(':') && !a.startsWith('[')) return `[${a}]`;
  return a;
}

function defaultPort(scheme: string): number {
  return scheme === 'https' ? 443 : 80;
}

export function parseServerXml(text: string, fileName = 'server.xml'): ServerXmlInfo {
  const els = parseElements(text, fileName);
  const warnings: string[] = [];

  const root = els.find((e) => e.path.length === 0);
  if (root?.name !== 'Server') {
    throw new Error(`${fileName}: root element is <${root?.name ?? '?'}>, expected <Server>; is this Tomcat's conf/server.xml?`);
  }
  const shutdownPort = intAttr(attr(root.attrs, 'port'));

  const connectors: Connector[] = [];
  for (const e of els) {
    if (e.name !== 'Connector' || e.path.join('/') !== 'Server/Service') continue;
    const protocol = attr(e.attrs, 'protocol') ?? '';
    const portAttr = attr(e.attrs, 'port');
    const port = intAttr(portAttr);
    const kind = connectorKind(protocol);
    if (portAttr !== undefined && port === undefined) {
      warnings.push(`${fileName}: <Connector port="${portAttr}"> is not a number (a property placeholder?); ignoring that connector for URLs.`);
    }
    const c: Connector = {
      kind,
      protocol,
      ssl: (attr(e.attrs, 'SSLEnabled') ?? '').trim().toLowerCase() === 'true',
      scheme: (attr(e.attrs, 'scheme') ?? 'http').trim().toLowerCase() || 'http',
      secure: (attr(e.attrs, 'secure') ?? '').trim().toLowerCase() === 'true',
    };
    if (port !== undefined) c.port = port;
    if (portAttr !== undefined) c.portAttr = portAttr;
    const address = attr(e.attrs, 'address')?.trim();
    if (address) c.address = address;
    const proxyName = attr(e.attrs, 'proxyName')?.trim();
    if (proxyName) c.proxyName = proxyName;
    const proxyPort = intAttr(attr(e.attrs, 'proxyPort'));
    if (proxyPort !== undefined && proxyPort > 0) c.proxyPort = proxyPort;
    const redirectPort = intAttr(attr(e.attrs, 'redirectPort'));
    if (redirectPort !== undefined) c.redirectPort = redirectPort;
    if (kind === 'other') warnings.push(`${fileName}: ignoring <Connector protocol="${protocol}"> (neither HTTP/1.1 nor AJP).`);
    connectors.push(c);
  }

  // Local probe: prefer a direct plain-HTTP connector (no proxy attributes, so Jira's absolute
  // redirects stay local), then any plain-HTTP one, then an SSL one (https to 127.0.0.1).
  const usable = connectors.filter((c) => c.kind === 'http' && c.port !== undefined && c.port > 0);
  const chosen = usable.find((c) => !c.ssl && !c.proxyName) ?? usable.find((c) => !c.ssl) ?? usable[0];
  let http: HttpEndpoint | undefined;
  if (chosen) {
    http = { port: chosen.port as number, ssl: chosen.ssl, scheme: chosen.scheme };
    if (chosen.proxyName) http.proxyName = chosen.proxyName;
    if (chosen.proxyPort !== undefined) http.proxyPort = chosen.proxyPort;
    if (chosen.address) http.address = chosen.address;
  } else {
    warnings.push(
      connectors.some((c) => c.kind === 'ajp')
        ? `${fileName}: only AJP connectors found; assuming Jira's default HTTP port ${DEFAULT_HTTP_PORT} for local checks.`
        : `${fileName}: no HTTP <Connector> found; assuming Jira's default HTTP port ${DEFAULT_HTTP_PORT}.`,
    );
  }

  // Context: Server/Service/Engine/Host/Context whose docBase ends with atlassian-jira.
  const contexts = els.filter((e) => e.name === 'Context' && e.path.join('/') === 'Server/Service/Engine/Host');
  const jiraContexts = contexts.filter((e) => /(^|[\\/}])atlassian-jira[\\/]*$/.test((attr(e.attrs, 'docBase') ?? '').trim()));
  let context = jiraContexts[0];
  if (jiraContexts.length > 1) {
    warnings.push(`${fileName}: ${jiraContexts.length} <Context> elements point at atlassian-jira; using the first (path "${attr(context!.attrs, 'path') ?? ''}").`);
  }
  if (!context && contexts.length === 1) {
    context = contexts[0];
    warnings.push(`${fileName}: the only <Context> has docBase "${attr(context!.attrs, 'docBase') ?? ''}", not …/atlassian-jira; using its path anyway.`);
  } else if (!context) {
    warnings.push(
      contexts.length === 0
        ? `${fileName}: no <Context> element; assuming Jira is served at the root context.`
        : `${fileName}: none of the ${contexts.length} <Context> elements has a docBase ending in atlassian-jira; assuming the root context.`,
    );
  }
  const contextPath = normaliseContextPath(context ? attr(context.attrs, 'path') : '');

  const port = http?.port ?? DEFAULT_HTTP_PORT;
  const localScheme = http?.ssl ? 'https' : 'http';
  const localBaseUrl = `${localScheme}://${hostForUrl(http?.address)}:${port}${contextPath}`;

  // Public URL from the first HTTP connector that sets proxyName.
  let publicBaseUrl: string | undefined;
  const proxied = connectors.find((c) => c.kind === 'http' && c.proxyName);
  if (proxied?.proxyName) {
    const scheme = proxied.scheme === 'https' ? 'https' : 'http';
    // Without proxyPort, Tomcat reports the connector's own port to the application.
    const pubPort = proxied.proxyPort ?? proxied.port;
    const portPart = pubPort !== undefined && pubPort !== defaultPort(scheme) ? `:${pubPort}` : '';
    publicBaseUrl = `${scheme}://${proxied.proxyName}${portPart}${contextPath}`;
  }

  const info: ServerXmlInfo = {
    connectors,
    contextPath,
    localBaseUrl,
    statusUrl: `${localBaseUrl}/status`,
    warnings,
  };
  if (http) info.http = http;
  if (publicBaseUrl !== undefined) info.publicBaseUrl = publicBaseUrl;
  if (shutdownPort !== undefined) info.shutdownPort = shutdownPort;
  return info;
}
