// Which files of a duo_jira release go where, and whether they are the official builds. Pure: takes
// names and bytes, returns decisions.
import { createHash } from 'node:crypto';

/** The three jar families the legacy filter needs in WEB-INF/lib. Matched exactly: never a broad duo-*.jar glob. */
export const LIB_FAMILIES = [
  { id: 'DuoWeb', pattern: /^DuoWeb-(\d[\w.-]*)\.jar$/ },
  { id: 'duo-client', pattern: /^duo-client-(\d[\w.-]*)\.jar$/ },
  { id: 'duo-filter', pattern: /^duo-filter-(\d[\w.-]*)\.jar$/ },
] as const;
/** The Jira add-on (UPM plugin). It belongs in the Jira home's installed-plugins, never in WEB-INF/lib. */
export const ADDON = { id: 'duo-twofactor', pattern: /^duo-twofactor-(\d[\w.-]*)\.jar$/ } as const;

export type FamilyId = (typeof LIB_FAMILIES)[number]['id'] | typeof ADDON.id;

/** SHA-256 of the official duosecurity/duo_jira release jars (reference/duo.md §2). */
export const OFFICIAL: Record<string, string> = {
  c9186637e32f95c0eda47aef216945e5c5cba9a4c730a2a729adeb753ac657a2: 'DuoWeb-1.3.jar (duo_jira 1.4.2, 1.4.3, master)',
  '05f783f655ca2000de8b8f8aa95a32d263e4c79e2760bf05fcc5c3a15f3e6632': 'duo-client-0.3.0.jar (duo_jira master)',
  '11008d331704c7af11d5bb4cd71fbdee6643a940ab20574d2ad770563397babf': 'duo-client-0.2.1.jar (duo_jira 1.4.2, 1.4.3)',
  edd7238643c2caa71e7fcd63fdf455dbaeb9d32d8f7162ffde4e8d776531333a: 'duo-filter-1.4.3.jar (duo_jira 1.4.3, master)',
  '8fea54f5d1b3c0d11605367bbf455db7132a3f6eeae61a754e67d4a0d13edc30': 'duo-filter-1.3.7.jar (duo_jira 1.4.2)',
  '2c7315638821b9dffb867ed59125292c7537e79c5e878ccd9f4397028f37f8a8': 'duo-twofactor-1.4.3.jar (duo_jira 1.4.3, master)',
  '850c160b49a6dd738209489da2a394d0eb85db700e1e3d6886278b9d0ffad551': 'duo-twofactor-1.4.2.jar (duo_jira 1.4.2)',
};

export interface Jar {
  name: string;
  family: FamilyId;
  version: string;
  bytes: Uint8Array;
  sha256: string;
  /** The official release it matches, or undefined for an unrecognized build. */
  official?: string;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function familyOf(name: string): { family: FamilyId; version: string } | undefined {
  for (const f of [...LIB_FAMILIES, ADDON]) {
    const m = f.pattern.exec(name);
    if (m) return { family: f.id, version: m[1]! };
  }
  return undefined;
}

export function toJar(name: string, bytes: Uint8Array): Jar | undefined {
  const fam = familyOf(name);
  if (!fam) return undefined;
  const hash = sha256(bytes);
  return { name, ...fam, bytes, sha256: hash, official: OFFICIAL[hash] };
}

export interface ReleaseSelection {
  libJars: Jar[];
  addon?: Jar;
  errors: string[];
  warnings: string[];
}

/** Pick exactly one jar of each library family (and the add-on) from a release, checking each is a zip. */
export function selectRelease(files: Array<{ name: string; bytes: Uint8Array }>, where: string): ReleaseSelection {
  const jars = files.map((f) => toJar(f.name, f.bytes)).filter((j): j is Jar => !!j);
  const errors: string[] = [];
  const warnings: string[] = [];
  const pick = (id: FamilyId) => {
    const found = jars.filter((j) => j.family === id);
    if (found.length > 1) errors.push(`${where} holds ${found.length} ${id} jars (${found.map((j) => j.name).join(', ')}); keep only the one to install`);
    return found.length === 1 ? found[0] : undefined;
  };
  const libJars: Jar[] = [];
  for (const f of LIB_FAMILIES) {
    const j = pick(f.id);
    if (j) libJars.push(j);
    else if (!errors.some((e) => e.includes(` ${f.id} jars`))) errors.push(`${where} has no ${f.id}-<version>.jar`);
  }
  const addon = pick(ADDON.id);
  for (const j of [...libJars, ...(addon ? [addon] : [])]) {
    if (!isZip(j.bytes)) errors.push(`${j.name} in ${where} is not a jar (zip) file`);
    else if (!j.official) warnings.push(`${j.name} is not an official duo_jira release build (SHA-256 ${j.sha256.slice(0, 12)}…): make sure you trust where it came from`);
  }
  return { libJars, addon, errors, warnings };
}

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) ;
}

export interface LibFile { name: string; sha256: string }

export interface JarChange {
  add: Jar[];
  replace: Jar[];
  remove: string[];
  unchanged: string[];
}

/** What to do in WEB-INF/lib so exactly the release's jar of each family is present. */
export function planLibJars(lib: LibFile[], wanted: Jar[]): JarChange {
  const out: JarChange = { add: [], replace: [], remove: [], unchanged: [] };
  for (const jar of wanted) {
    const same = lib.filter((f) => familyOf(f.name)?.family === jar.family);
    const existing = same.find((f) => f.name === jar.name);
    if (!existing) out.add.push(jar);
    else if (existing.sha256 === jar.sha256) out.unchanged.push(jar.name);
    else out.replace.push(jar);
    for (const f of same) if (f.name !== jar.name) out.remove.push(f.name);
  }
  return out;
}

/** Every jar of the three library families present in WEB-INF/lib (what uninstall removes). */
export function duoLibJars(lib: LibFile[]): string[] {
  return lib.filter((f) => { const fam = familyOf(f.name)?.family; return fam !== undefined && fam !== ADDON.id; }).map((f) => f.name);
}
