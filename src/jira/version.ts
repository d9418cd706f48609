// Jira version detection from an install directory's file names and pom.properties texts, plus the
// support policy of the legacy Duo Seraph filter. Pure: callers list WEB-INF/lib and read files.
import { parseProperties } from './properties.js';

export type VersionSource = 'jira-api-jar' | 'pom.properties' | 'none';

export interface DetectedVersion {
  version?: string;
  source: VersionSource;
  warnings: string[];
}

export interface DetectVersionInput {
  /** Names (or paths) of the files in atlassian-jira/WEB-INF/lib. */
  libFiles: string[];
  /** Texts of atlassian-jira/META-INF/maven/com.atlassian.jira/STAR/pom.properties files, if any. */
  pomProperties?: string[];
}

/** Tolerant: 7.13.2, 8.20, 6.4.14-m0003, 7.0.0-QR-20150420… (reference: jira.md §1). */
const JIRA_API_JAR = /^jira-api-(\d+\.\d+(?:\.\d+)?[^/]*)\.jar$/;

function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

/** Version in a jira-api jar file name, or undefined if the name is not a jira-api jar. */
export function jiraApiJarVersion(fileName: string): string | undefined {
  const v = JIRA_API_JAR.exec(baseName(fileName))?.[1];
  // Exclude classifier jars that are not the API itself, e.g. jira-api-7.13.2-sources.jar / -tests.jar.
  if (v === undefined || /-(sources|javadoc|tests)$/.test(v)) return undefined;
  return v;
}

function highest(versions: string[]): string | undefined {
  return [...versions].sort(compareVersions).at(-1);
}

export function detectVersion(input: DetectVersionInput): DetectedVersion {
  const warnings: string[] = [];

  const jarVersions = [...new Set(input.libFiles.map(jiraApiJarVersion).filter((v): v is string => v !== undefined))];
  const pomVersions = [
    ...new Set(
      (input.pomProperties ?? [])
        .map((text) => {
          try {
            return parseProperties(text).get('version')?.trim();
          } catch {
            return undefined;
          }
        })
        .filter((v): v is string => !!v && /^\d+\.\d+/.test(v)),
    ),
  ];

  if (jarVersions.length > 0) {
    const version = highest(jarVersions) as string;
    if (jarVersions.length > 1) {
      warnings.push(
        `Several jira-api jars in WEB-INF/lib (${jarVersions.map((v) => `jira-api-${v}.jar`).join(', ')}): ` +
          `the install looks dirty (an upgrade copied over an old tree?). Assuming the highest, ${version}.`,
      );
    }
    const pom = highest(pomVersions);
    if (pom !== undefined && compareVersions(pom, version) !== 0) {
      warnings.push(`pom.properties says Jira ${pom} but WEB-INF/lib has jira-api-${version}.jar; trusting the jar.`);
    }
    if (isMilestone(version)) warnings.push(`Jira ${version} is a milestone/pre-release build.`);
    return { version, source: 'jira-api-jar', warnings };
  }

  if (pomVersions.length > 0) {
    const version = highest(pomVersions) as string;
    if (pomVersions.length > 1) {
      warnings.push(`Several pom.properties versions found (${pomVersions.join(', ')}); assuming the highest, ${version}.`);
    }
    warnings.push('No jira-api-*.jar in WEB-INF/lib; the version comes from META-INF/maven pom.properties.');
    if (isMilestone(version)) warnings.push(`Jira ${version} is a milestone/pre-release build.`);
    return { version, source: 'pom.properties', warnings };
  }

  warnings.push(
    'Could not read the Jira version: no jira-api-<version>.jar in atlassian-jira/WEB-INF/lib and no ' +
      'META-INF/maven/com.atlassian.jira/*/pom.properties. Is this a Jira install directory?',
  );
  return { source: 'none', warnings };
}

function isMilestone(v: string): boolean {
  return splitVersion(v).suffix !== '';
}

function splitVersion(v: string): { nums: number[]; suffix: string } {
  const m = /^(\d+(?:\.\d+)*)(.*)$/.exec(v.trim());
  if (!m) return { nums: [], suffix: v.trim() };
  return { nums: (m[1] as string).split('.').map(Number), suffix: (m[2] as string).replace(/^[-.]/, '') };
}

/**
 * Compare dotted versions numerically: -1, 0 or 1. Missing parts count as 0 (8.20 == 8.20.0).
 * A pre-release suffix sorts before the plain release (7.13.2-m0003 < 7.13.2); two suffixes compare
 * with numeric-aware string order.
 */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const x = splitVersion(a);
  const y = splitVersion(b);
  const n = Math.max(x.nums.length, y.nums.length);
  for (let i = 0; i < n; i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  if (x.suffix === y.suffix) return 0;
  if (x.suffix === '') return 1;
  if (y.suffix === '') return -1;
  const c = x.suffix.localeCompare(y.suffix, 'en', { numeric: true, sensitivity: 'base' });
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

export type SupportLevel = 'supported' | 'untested' | 'unsupported' | 'unknown';

export interface Support {
  level: SupportLevel;
  note: string;
}

/** How the legacy Duo Seraph filter (duo_jira 1.4.x) relates to a Jira version. */
export function support(version: string | undefined): Support {
  if (version === undefined || !/^\d+\.\d+/.test(version.trim())) {
    return {
      level: 'unknown',
      note: 'Jira version unknown: cannot tell whether the legacy Duo filter applies. Check Administration → System info.',
    };
  }
  const [major = 0, minor = 0] = splitVersion(version).nums;
  if (major < 6 || (major === 6 && minor < 1)) {
    return {
      level: 'unsupported',
      note: `Jira ${version} is older than 6.1, the oldest release Duo's legacy plugin documents; upgrade Jira first.`,
    };
  }
  if (major <= 7) {
    return {
      level: 'supported',
      note: `Jira ${version} is in the range Duo documents for the legacy plugin (JIRA 6.1–7.x). Duo itself ended support in February 2024.`,
    };
  }
  if (major <= 9) {
    return {
      level: 'untested',
      note:
        `Jira ${version} is untested: the legacy filter still loads, Duo recommends the Universal plugin ` +
        '(duo_universal_atlassian, Jira 8.5+) for this version.',
    };
  }
  return {
    level: 'unsupported',
    note:
      `Jira ${version} is unsupported: Duo's plugins stop at Jira 9 (Server end of life), and whether third-party ` +
      'web.xml filters still load on Jira 10+ (and a future Jakarta EE container) is not verified.',
  };
}
