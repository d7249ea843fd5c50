import { StepError, StepExit } from './errors';

/** What a step reports on success: one line for the task log. */
export interface StepResult {
  summary: string;
}

/**
 * The process boundary of every step: runs `run`, prints its summary on stdout, or exactly
 * one line on stderr and a non-zero exit code (see errors.ts). Set AIRFLOW_ML_DEBUG=1 for a
 * stack trace of internal errors.
 */
export function runMain(step: string, run: (argv: string[]) => StepResult): void {
  try {
    const result = run(process.argv.slice(2));
    process.stdout.write(`${step}: ${result.summary}\n`);
  } catch (err) {
    if (err instanceof StepError) {
      process.stderr.write(`${step}: error: ${oneLine(err.message)}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    const detail = process.env.AIRFLOW_ML_DEBUG ? `\n${e.stack ?? ''}` : '';
    process.stderr.write(`${step}: internal error: ${oneLine(e.message)}${detail}\n`);
    process.exitCode = StepExit.internal;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
