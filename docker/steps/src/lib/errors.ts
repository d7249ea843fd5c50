/**
 * Step failures. A step prints exactly one line for any of these and exits with its code, so
 * an Airflow task log shows the cause at a glance. Anything else is an internal error (70).
 */
export const StepExit = {
  /** Bad or missing flags. */
  usage: 2,
  /** An input file is missing, empty, or malformed. */
  input: 3,
  /** A quality gate (for example --min-roc-auc) was not met. */
  check: 4,
  internal: 70,
} as const;
export type StepExit = (typeof StepExit)[keyof typeof StepExit];

export class StepError extends Error {
  constructor(
    message: string,
    readonly exitCode: StepExit,
  ) {
    super(message);
    this.name = 'StepError';
  }
}

export const usageError = (message: string): StepError => new StepError(message, StepExit.usage);
export const inputError = (message: string): StepError => new StepError(message, StepExit.input);
export const checkError = (message: string): StepError => new StepError(message, StepExit.check);

/** `file:line:col: message`, 1-based, as editors and CI annotations expect. */
export function locatedError(file: string, line: number, col: number, message: string): StepError {
  return inputError(`${file}:${line}:${col}: ${message}`);
}

/** Turns an fs error into a one-line message that names the file and what to check. */
export function fsError(file: string, err: unknown, verb = 'cannot read'): StepError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'no such file or directory'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied (check the uid the step runs as)'
        : code === 'EISDIR'
          ? 'is a directory, expected a file'
          : (err as Error).message;
  return inputError(`${file}: ${verb}: ${reason}`);
}
