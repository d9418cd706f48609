// The verifier must refuse any result that is not exactly the intended change.
import { describe, expect, it } from 'vitest';
import { UnsafeEditError } from '../../src/errors.js';
import { planInstall, planUninstall } from '../../src/webxml/edit.js';
import { readWebXml } from '../../src/webxml/index.js';
import { applyEdits } from '../../src/webxml/splice.js';
import { verifyChange } from '../../src/webxml/verify.js';
import { genWebXml, KEYS } from '../support/webxml-gen.js';

const facts = () => readWebXml(Buffer.from(genWebXml({ extraFilters: 4 }))).facts;

describe('verifyChange refuses', () => {
  it('accepts the honest install', () => {
    const f = facts();
    const c = planInstall(f, { ...KEYS });
    expect(() => verifyChange(f, c.edits, applyEdits(f.doc.source, c.edits), c.intent)).not.toThrow();
  });

  it.each([
    ['a change outside the edited region', (t: string) => t.replace('LauncherContextListener', 'LauncherContextListenerX')],
    ['a change to a neighbour inside the region', (t: string) => t.replace('com.example.Extra0', 'com.example.Evil')],
    ['broken markup inside the region', (t: string) => t.replace('<filter-name>duoauth</filter-name>', '<filter-name>duoauth</filter-nam>')],
    ['a different init-param value', (t: string) => t.replace(KEYS.host, 'api-evil.duosecurity.com')],
    ['a second duoauth mapping', (t: string) => t.replace(/(<filter-mapping>\s*<filter-name>duoauth[\s\S]*?<\/filter-mapping>)/, '$1$1')],
    ['a text change before <web-app>', (t: string) => t.replace('UTF-8', 'utf-8')],
  ])('%s', (_n, tamper) => {
    const f = facts();
    const c = planInstall(f, { ...KEYS });
    const honest = applyEdits(f.doc.source, c.edits);
    const evil = tamper(honest);
    expect(evil).not.toBe(honest);
    expect(() => verifyChange(f, c.edits, evil, c.intent)).toThrow(UnsafeEditError);
  });

  it('an uninstall that leaves the filter behind', () => {
    const installed = readWebXml(Buffer.from(applyEdits(facts().doc.source, planInstall(facts(), { ...KEYS }).edits))).facts;
    const c = planUninstall(installed);
    const partial = applyEdits(installed.doc.source, c.edits.slice(1));
    expect(() => verifyChange(installed, c.edits, partial, c.intent)).toThrow(UnsafeEditError);
  });
});
