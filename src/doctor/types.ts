// What `duo-jira doctor` gathers (facts, read once by gather.ts) and what it reports (checks). The checks
// are pure functions over DoctorFacts (checks.ts), so every finding can be table-tested without a disk.
import type { FamilyId } from '../artifacts.js';
import type { PreflightResult } from '../duo-api/client.js';
import type { JiraHomeSource } from '../jira/home.js';
import type { JiraPaths } from '../jira/layout.js';
import type { DetectedVersion } from '../jira/version.js';
import type { Params } from '../webxml/template.js';

export type Status = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  id: string;
  title: string;
  status: Status;
  /** One line: what was found. */
  finding: string;
  /** What to do about it (usually the exact duo-jira command); given for non-ok checks. */
  fix?: string;
  /** Extra lines for --verbose and --json (file lists, dates, parser warnings). */
  details?: string[];
}

export type DuoState = 'installed' | 'disabled' | 'not-installed' | 'broken';

export interface Summary {
  ok: number;
  warn: number;
  fail: number;
  skip: number;
}

export interface FileMeta {
  /** Permission bits (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
}

export interface LibJarFact {
  name: string;
  path: string;
  family: FamilyId;
  version: string;
  sha256?: string;
  /** The official release it matches (artifacts.OFFICIAL), undefined for an unrecognized build. */
  official?: string;
  meta?: FileMeta;
  readError?: string;
}

export interface DuoFilterFact {
  name: string;
  className: string;
  params: Params;
  line: number;
  /** The next element after the security <filter> is this filter. */
  rightAfterSecurity: boolean;
  /** filter-name of the element right after the security filter (what runs in Duo's place). */
  afterSecurity?: string;
}

export interface DuoMappingFact {
  line: number;
  rightAfterSecurity: boolean;
  urlPatterns: string[];
  dispatchers: string[];
}

export interface ParsedWebXml {
  securityFilterLine: number;
  securityMappingLine: number;
  filter?: DuoFilterFact;
  mapping?: DuoMappingFact;
  /** Commented-out duoauth mappings (duo-jira disable's marker, or by hand). */
  disabledMappings: number[];
}

export interface WebXmlFact {
  path: string;
  exists: boolean;
  meta?: FileMeta;
  readError?: string;
  parsed?: ParsedWebXml;
  /** Why the web.xml engine refuses this file (malformed, ambiguous, Universal plugin, no security filter). */
  unsafe?: { message: string; hint?: string };
}

/** web.xml or a copy of it next to it (web.xml.bak, web.xml~ …) that holds a Duo secret key. */
export interface SecretFileFact {
  path: string;
  meta: FileMeta;
  /** Is this Jira's live web.xml (Tomcat must keep reading it)? */
  live: boolean;
}

export interface JiraUserFact {
  /** JIRA_USER from bin/user.sh; undefined when empty or not assigned (Jira runs as whoever starts it). */
  name?: string;
  userShFound: boolean;
  /** From the system's user database; undefined when the name is unknown here. */
  ids?: { uid: number; gids: number[] };
  lookupError?: string;
}

export interface AddonJarFact {
  name: string;
  version: string;
  sha256?: string;
  official?: string;
}

export interface HomeFact {
  path?: string;
  source: JiraHomeSource | 'option';
  /** The systemd unit whose environment set it (source 'systemd'). */
  unit?: string;
  warnings: string[];
  readable: boolean;
  error?: string;
  /** Where UPM keeps user-installed add-ons (the shared home's on Data Center). */
  pluginsDir?: string;
  plugins?: { readable: boolean; missing: boolean; error?: string; addons: AddonJarFact[] };
}

export interface BackupFact {
  path: string;
  role: string;
  meta?: FileMeta;
}

export interface CheckpointFact {
  id: string;
  dir: string;
  createdAt: string;
  command: string;
  status: string;
  backups: BackupFact[];
}

export interface JournalFact {
  path: string;
  interrupted: boolean;
  checkpoint?: string;
  command?: string;
  startedAt?: string;
  /** A live duo-jira process holds the lock: the journal belongs to a run in progress, not a dead one. */
  inProgress?: { pid: number; command: string; startedAt: string };
}

export type OnlineFact = { ran: false; reason: string } | { ran: true; result: PreflightResult };

export interface DoctorFacts {
  jiraDir: string;
  paths: JiraPaths;
  /** The -d value to put in suggested commands ('' for the default directory). */
  dirArg: string;
  layout: { root: boolean; webapp: boolean; webInf: boolean; lib: boolean; webXml: boolean };
  version: DetectedVersion;
  user: JiraUserFact;
  home: HomeFact;
  libDir?: FileMeta;
  jars: LibJarFact[];
  webXml: WebXmlFact;
  secretFiles: SecretFileFact[];
  stateDir: string;
  checkpoints: CheckpointFact[];
  journal: JournalFact;
  offline: boolean;
  online: OnlineFact;
}
