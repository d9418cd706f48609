// Typed errors. Each class is one documented exit code; the code is chosen only at the entry point (cli.ts).
// Every message should say what is wrong *and* what to do about it.

export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  environment: 3,
  unsafeEdit: 4,
  rolledBack: 5,
  checksFailed: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export abstract class DuoJiraError extends Error {
  abstract readonly exitCode: ExitCode;
  /** Short machine-readable kind, used in --json output. */
  abstract readonly kind: string;
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags or invalid input values (keys, host). Nothing was touched. */
export class UsageError extends DuoJiraError {
  readonly exitCode = EXIT.usage;
  readonly kind = 'usage';
}

/** Jira layout, permissions, artifacts, service or credential problems found before any write. */
export class EnvironmentError extends DuoJiraError {
  readonly exitCode = EXIT.environment;
  readonly kind = 'environment';
}

/** web.xml cannot be edited safely (malformed, ambiguous, unexpected structure). Nothing was written. */
export class UnsafeEditError extends DuoJiraError {
  readonly exitCode = EXIT.unsafeEdit;
  readonly kind = 'unsafe-edit';
}

/** A write failed part-way; every file was restored from the checkpoint. */
export class RolledBackError extends DuoJiraError {
  readonly exitCode = EXIT.rolledBack;
  readonly kind = 'rolled-back';
}

/** A bug or an unexpected failure. */
export class InternalError extends DuoJiraError {
  readonly exitCode = EXIT.internal;
  readonly kind = 'internal';
}

/**
 * By shape, not `instanceof`: each command is bundled on its own, so an error thrown by a command comes
 * from that bundle's copy of these classes, not the entry point's.
 */
export function isDuoJiraError(err: unknown): err is DuoJiraError {
  const e = err as Partial<DuoJiraError> | null;
  return err instanceof Error && typeof e?.exitCode === 'number' && typeof e.kind === 'string';
}

export function exitCodeOf(err: unknown): ExitCode {
  return isDuoJiraError(err) ? err.exitCode : EXIT.internal;
}
