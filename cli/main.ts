import { CommanderError } from 'commander';
import { AirflowMlError, ExitCode } from './base/errors';
import { buildProgram } from './program';

/**
 * The only place that turns errors into exit codes and text. Libraries and commands throw;
 * this prints `error: <message>` plus the hint, and returns the documented exit code.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (err) {
    return reportError(err);
  }
}

export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed its message (or help/version, which exit 0).
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (err instanceof AirflowMlError) {
    process.stderr.write(`error: ${err.message}\n`);
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(
    `internal error: ${message}\nPlease report this with the command you ran.\n`,
  );
  return ExitCode.internal;
}
