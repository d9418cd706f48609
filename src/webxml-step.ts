// The web.xml-only commands (uninstall's first half, disable, enable) share this: read, change, verify,
// and add the write action with its "unchanged since read" precondition to the Plan.
import { quickFs as fs } from './fs/quick.js';
import { sha256 } from './artifacts.js';
import { changeWebXml, readWebXml, type WebXmlAction, type WebXmlFile } from './webxml/index.js';
import type { Plan, Session } from './workflow.js';

export async function addWebXmlStep(plan: Plan, session: Session, action: WebXmlAction, describe: string): Promise<WebXmlFile> {
  const file = readWebXml(await fs.readFile(session.paths.webXml));
  const params = Object.fromEntries(file.facts.duo.filter?.params ?? []);
  plan.secrets.push(params.skey ?? '', params.akey ?? '');
  const result = changeWebXml(file, action);
  if (result.changed) {
    plan.actions.push({ kind: 'write', path: session.paths.webXml, content: result.after, expect: { sha256: sha256(file.bytes) }, role: 'web.xml' });
    plan.webxml = { path: session.paths.webXml, before: file.bytes, after: result.after };
    plan.changes.push(`web.xml: ${describe}`);
    plan.needsConfirmation = true;
  }
  plan.notes.push(...result.notes);
  return file;
}
