// Read a duo_jira release from disk: an unzipped release (its root or its etc/) or the release zip itself.
// Zip entries are only ever matched by base name against the known jar families and read into memory;
// nothing is extracted by entry path, so a crafted "../../x" entry cannot write anywhere.
import { quickFs as fs } from './quick.js';
import { basename, join, resolve } from 'node:path';
import { familyOf, selectRelease, type ReleaseSelection } from '../artifacts.js';
import { EnvironmentError } from '../errors.js';

const MAX_ENTRY = 64 * 1024 * 1024;
export const RELEASE_URL = 'https://github.com/duosecurity/duo_jira/releases';

/** `source` is what the admin passed; `base` is the folder (or zip) the jars were found in. */
export interface Release extends ReleaseSelection { source: string; base: string; ignored: string[] }

export async function readRelease(spec: string | undefined, cwd: string): Promise<Release> {
  const path = spec ? resolve(cwd, spec) : await defaultRelease(cwd);
  const st = await fs.stat(path).catch(() => undefined);
  if (!st) throw new EnvironmentError(`The Duo release ${path} does not exist.`, `Pass --artifacts <dir|zip>: the unzipped duo_jira release (or its etc/ folder) or the release zip, from ${RELEASE_URL}.`);
  const { files, ignored, base } = st.isDirectory() ? await readDir(path) : { ...(await readZip(path)), base: path };
  const sel = selectRelease(files, path);
  if (sel.errors.length) {
    throw new EnvironmentError(`The Duo release at ${path} is not usable:\n  - ${sel.errors.join('\n  - ')}`, `Use an unmodified duo_jira release from ${RELEASE_URL}.`);
  }
  return { ...sel, source: path, base, ignored };
}

async function defaultRelease(cwd: string): Promise<string> {
  const etc = join(cwd, 'etc');
  if (await fs.stat(etc).then((s) => s.isDirectory(), () => false)) return etc;
  throw new EnvironmentError(
    'No Duo release given and there is no ./etc folder here.',
    `Download the duo_jira release zip from ${RELEASE_URL} and pass it with --artifacts <zip>, or run duo-jira from the unzipped release folder.`,
  );
}

async function readDir(dir: string): Promise<{ files: Array<{ name: string; bytes: Uint8Array }>; ignored: string[]; base: string }> {
  const etc = join(dir, 'etc');
  const base = (await fs.stat(etc).then((s) => s.isDirectory(), () => false)) ? etc : dir;
  const names = (await fs.readdir(base)).filter((n) => familyOf(n));
  const files = await Promise.all(names.map(async (name) => ({ name, bytes: await fs.readFile(join(base, name)) })));
  return { files, ignored: [], base };
}

async function readZip(path: string): Promise<{ files: Array<{ name: string; bytes: Uint8Array }>; ignored: string[] }> {
  const { unzipSync } = await import('fflate');
  const data = await fs.readFile(path);
  const ignored: string[] = [];
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(data, {
      filter: (f) => {
        const isJar = familyOf(f.name.split(/[\\/]/).pop()!) !== undefined;
        const wanted = familyOf(basename(f.name)) !== undefined && /^([^/]+\/)?(etc\/)?[^/]+$/.test(f.name);
        const unsafe = /^([\\/]|[A-Za-z]:)/.test(f.name) || f.name.split(/[\\/]/).includes('..');
        // Report every jar-named entry that is unsafe wherever it sits (e.g. ../../evil/x.jar), not only at the
        // depths a release uses: the admin should learn the zip was crafted.
        if (isJar && (unsafe || (wanted && f.originalSize > MAX_ENTRY))) ignored.push(f.name);
        return wanted && !unsafe && f.originalSize <= MAX_ENTRY;
      },
    });
  } catch (e) {
    throw new EnvironmentError(`${path} is not a readable zip file (${(e as Error).message}).`, `Pass the duo_jira release zip from ${RELEASE_URL}, or its unzipped folder.`);
  }
  return { files: Object.entries(entries).map(([name, bytes]) => ({ name: basename(name), bytes })), ignored };
}
