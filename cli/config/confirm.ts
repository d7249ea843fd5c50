import * as readline from 'node:readline';
import { UsageError } from '../base/errors';

export interface ConfirmOptions {
  /** What will be destroyed, e.g. "Airflow's database volume (runs, variables, ...)". */
  what: string;
  /** The flag that confirms without asking. */
  yesFlag: string;
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream;
}

/**
 * Asks before something that cannot be undone. Without a terminal to ask on (CI, a pipe)
 * it refuses, so a script never destroys data by accident; `--yes` is the way to say so.
 * Refusing or declining is a UsageError (exit 2) before anything was changed.
 */
export async function confirmDestructive(options: ConfirmOptions): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stderr;
  if (!input.isTTY) {
    throw new UsageError(
      `this would delete ${options.what}, and there is no terminal to confirm it on`,
      `pass ${options.yesFlag} to confirm`,
    );
  }
  const rl = readline.createInterface({ input, output, terminal: false });
  const answer = await new Promise<string>((resolve) => {
    rl.question(
      `This deletes ${options.what}. It cannot be undone. Type "yes" to go on: `,
      resolve,
    );
    rl.once('close', () => resolve(''));
  });
  rl.close();
  if (answer.trim().toLowerCase() !== 'yes') {
    throw new UsageError(
      'not confirmed; nothing was changed',
      `type "yes", or pass ${options.yesFlag}`,
    );
  }
}
