import { describe, expect, it } from 'vitest';
import { normaliseContextPath, parseServerXml } from '../../src/jira/server-xml.js';

/** A minimal server.xml around the given connectors and Context. */
function serverXml(connectors: string, context = '<Context path="" docBase="${catalina.home}/atlassian-jira"/>'): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<Server port="8005" shutdown="SHUTDOWN">
  <Service name="Catalina">
    ${connectors}
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps">
        ${context}
      </Host>
    </Engine>
  </Service>
</Server>`;
}

describe('normaliseContextPath', () => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, ''],
    ['', ''],
    ['/', ''],
    ['/jira', '/jira'],
    ['/jira/', '/jira'],
    ['jira', '/jira'],
    [' /jira ', '/jira'],
    ['/tools/jira', '/tools/jira'],
  ];
  it.each(cases)('%j → %j', (p, expected) => expect(normaliseContextPath(p)).toBe(expected));
});

describe('parseServerXml', () => {
  const cases: Array<{
    name: string;
    connectors: string;
    context?: string;
    localBaseUrl: string;
    publicBaseUrl?: string;
    http?: object;
    warn?: RegExp;
  }> = [
    {
      name: 'plain HTTP/1.1 on 8080, root context',
      connectors: '<Connector port="8080" protocol="HTTP/1.1" redirectPort="8443"/>',
      localBaseUrl: 'http://127.0.0.1:8080',
      http: { port: 8080, ssl: false, scheme: 'http' },
    },
    {
      name: 'no protocol attribute means HTTP/1.1',
      connectors: '<Connector port="8090"/>',
      localBaseUrl: 'http://127.0.0.1:8090',
    },
    {
      name: 'NIO class name counts as HTTP',
      connectors: '<Connector port="8081" protocol="org.apache.coyote.http11.Http11NioProtocol"/>',
      localBaseUrl: 'http://127.0.0.1:8081',
    },
    {
      name: 'AJP is skipped',
      connectors: '<Connector port="8009" protocol="AJP/1.3"/><Connector port="8080" protocol="HTTP/1.1"/>',
      localBaseUrl: 'http://127.0.0.1:8080',
    },
    {
      name: 'only AJP → default port with warning',
      connectors: '<Connector port="8009" protocol="org.apache.coyote.ajp.AjpNioProtocol"/>',
      localBaseUrl: 'http://127.0.0.1:8080',
      warn: /only AJP/,
    },
    {
      name: 'no connector at all → default port',
      connectors: '',
      localBaseUrl: 'http://127.0.0.1:8080',
      warn: /no HTTP <Connector>/,
    },
    {
      name: 'proxy attrs give the public URL, default port omitted',
      connectors: '<Connector port="8080" protocol="HTTP/1.1" scheme="https" secure="true" proxyName="jira.example.com" proxyPort="443"/>',
      context: '<Context path="/jira" docBase="${catalina.home}/atlassian-jira"/>',
      localBaseUrl: 'http://127.0.0.1:8080/jira',
      publicBaseUrl: 'https://jira.example.com/jira',
      http: { port: 8080, ssl: false, scheme: 'https', proxyName: 'jira.example.com', proxyPort: 443 },
    },
    {
      name: 'non-default proxy port kept',
      connectors: '<Connector port="8080" proxyName="jira.example.com" proxyPort="8888"/>',
      localBaseUrl: 'http://127.0.0.1:8080',
      publicBaseUrl: 'http://jira.example.com:8888',
    },
    {
      name: 'proxyName without proxyPort uses the connector port (Tomcat behaviour)',
      connectors: '<Connector port="8080" proxyName="jira.internal"/>',
      localBaseUrl: 'http://127.0.0.1:8080',
      publicBaseUrl: 'http://jira.internal:8080',
    },
    {
      name: 'direct connector preferred for probes, proxied one gives the public URL',
      connectors:
        '<Connector port="8081" scheme="https" proxyName="jira.example.com" proxyPort="443"/>' +
        '<Connector port="8080" protocol="HTTP/1.1"/>',
      localBaseUrl: 'http://127.0.0.1:8080',
      publicBaseUrl: 'https://jira.example.com',
    },
    {
      name: 'SSL-only connector → https probe',
      connectors: '<Connector port="8443" protocol="org.apache.coyote.http11.Http11NioProtocol" SSLEnabled="true" scheme="https" secure="true"/>',
      localBaseUrl: 'https://127.0.0.1:8443',
      http: { port: 8443, ssl: true, scheme: 'https' },
    },
    {
      name: 'plain connector preferred over SSL one',
      connectors: '<Connector port="8443" SSLEnabled="true" scheme="https"/><Connector port="8080"/>',
      localBaseUrl: 'http://127.0.0.1:8080',
    },
    {
      name: 'bind address is used instead of loopback',
      connectors: '<Connector port="8080" address="10.1.2.3"/>',
      localBaseUrl: 'http://10.1.2.3:8080',
    },
    {
      name: 'IPv6 bind address is bracketed',
      connectors: '<Connector port="8080" address="::1"/>',
      localBaseUrl: 'http://[::1]:8080',
    },
    {
      name: 'wildcard bind address → loopback',
      connectors: '<Connector port="8080" address="0.0.0.0"/>',
      localBaseUrl: 'http://127.0.0.1:8080',
    },
    {
      name: 'placeholder port is ignored with a warning',
      connectors: '<Connector port="${http.port}"/>',
      localBaseUrl: 'http://127.0.0.1:8080',
      warn: /not a number/,
    },
    {
      name: 'commented-out connector is ignored',
      connectors: '<!-- <Connector port="9999"/> --><Connector port="8080"/>',
      localBaseUrl: 'http://127.0.0.1:8080',
    },
    {
      name: 'context "/" is root',
      connectors: '<Connector port="8080"/>',
      context: '<Context path="/" docBase="${catalina.home}/atlassian-jira"/>',
      localBaseUrl: 'http://127.0.0.1:8080',
    },
    {
      name: 'context "jira" without slash',
      connectors: '<Connector port="8080"/>',
      context: '<Context path="jira" docBase="${catalina.home}/atlassian-jira/"/>',
      localBaseUrl: 'http://127.0.0.1:8080/jira',
    },
    {
      name: 'the Context whose docBase ends with atlassian-jira wins',
      connectors: '<Connector port="8080"/>',
      context:
        '<Context path="/other" docBase="/srv/other-webapp"/>' +
        '<Context path="/jira" docBase="C:\\Program Files\\Atlassian\\JIRA\\atlassian-jira"/>',
      localBaseUrl: 'http://127.0.0.1:8080/jira',
    },
    {
      name: 'single Context with another docBase is used with a warning',
      connectors: '<Connector port="8080"/>',
      context: '<Context path="/tickets" docBase="/opt/jira-webapp"/>',
      localBaseUrl: 'http://127.0.0.1:8080/tickets',
      warn: /not …\/atlassian-jira/,
    },
    {
      name: 'no Context → root with a warning',
      connectors: '<Connector port="8080"/>',
      context: '',
      localBaseUrl: 'http://127.0.0.1:8080',
      warn: /no <Context>/,
    },
    {
      name: 'commented-out Context is ignored',
      connectors: '<Connector port="8080"/>',
      context: '<!-- <Context path="/old" docBase="${catalina.home}/atlassian-jira"/> --><Context path="/new" docBase="${catalina.home}/atlassian-jira"/>',
      localBaseUrl: 'http://127.0.0.1:8080/new',
    },
  ];

  it.each(cases)('$name', (c) => {
    const info = parseServerXml(serverXml(c.connectors, c.context));
    expect(info.localBaseUrl).toBe(c.localBaseUrl);
    expect(info.statusUrl).toBe(`${c.localBaseUrl}/status`);
    expect(info.publicBaseUrl).toBe(c.publicBaseUrl);
    if (c.http) expect(info.http).toEqual(c.http);
    if (c.warn) expect(info.warnings.join('\n')).toMatch(c.warn);
    else expect(info.warnings).toEqual([]);
  });

  it('lists every connector with its kind', () => {
    const info = parseServerXml(serverXml('<Connector port="8080"/><Connector port="8009" protocol="AJP/1.3" redirectPort="8443"/>'));
    expect(info.connectors.map((c) => [c.kind, c.port])).toEqual([
      ['http', 8080],
      ['ajp', 8009],
    ]);
    expect(info.connectors[1]).toMatchObject({ protocol: 'AJP/1.3', redirectPort: 8443, ssl: false });
    expect(info.shutdownPort).toBe(8005);
  });

  it('throws a descriptive error on malformed XML', () => {
    expect(() => parseServerXml('<Server port="8005"><Service></Server>', '/opt/atlassian/jira/conf/server.xml')).toThrow(
      /conf\/server\.xml is not well-formed XML \(.*1:\d+.*\)/,
    );
    expect(() => parseServerXml('')).toThrow(/empty|well-formed/);
    expect(() => parseServerXml('<Server>')).toThrow(/well-formed/);
  });

  it('rejects a file that is not a Tomcat server.xml', () => {
    expect(() => parseServerXml('<web-app/>')).toThrow(/expected <Server>/);
  });
});
