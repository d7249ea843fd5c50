/**
 * Typed errors and the exit codes they map to. Libraries throw these; only the entry
 * point (cli/main.ts) prints them and exits. Every message says what to do next.
 */

export const ExitCode = {
  ok: 0,
  /** `compile --check` found stale files; a check that failed without an error. */
  checkFailed: 1,
  usage: 2,
  spec: 3,
  airflowUnreachable: 4,
  auth: 5,
  runFailed: 6,
  docker: 7,
  /** An Airflow API call answered with an unexpected error (4xx/5xx after retries). */
  airflowApi: 8,
  config: 9,
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class AirflowMlError extends Error {
  abstract readonly exitCode: ExitCode;
  /** What the user should do about it; printed after the message. */
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** A position in a source file, 1-based, as editors show it. */
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  message: string;
  hint?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const head = `${d.file}:${d.line}:${d.col}: ${d.message}`;
  return d.hint ? `${head}\n  hint: ${d.hint}` : head;
}

/** One or more invalid specs. Carries every diagnostic, not only the first. */
export class SpecError extends AirflowMlError {
  readonly exitCode = ExitCode.spec;
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
  }
}

export class UsageError extends AirflowMlError {
  readonly exitCode = ExitCode.usage;
}

export class ConfigError extends AirflowMlError {
  readonly exitCode = ExitCode.config;
}

export class CheckFailedError extends AirflowMlError {
  readonly exitCode = ExitCode.checkFailed;
}

export class DockerBuildError extends AirflowMlError {
  readonly exitCode = ExitCode.docker;
  constructor(
    message: string,
    readonly image: string,
    readonly step: string,
    readonly logTail: string,
    hint?: string,
  ) {
    super(message, hint);
  }
}

export class RunFailedError extends AirflowMlError {
  readonly exitCode = ExitCode.runFailed;
}

export class InternalError extends AirflowMlError {
  readonly exitCode = ExitCode.internal;
}
