import type { Command } from 'commander';

/** One example: the arguments after `airflow-ml`, and what it does. */
export type Example = [args: string, what: string];

/**
 * Adds an "Examples:" section to a command's --help. Every command has one (a unit test
 * walks the command tree); keep each example runnable as written.
 */
export function withExamples(cmd: Command, examples: Example[]): Command {
  const width = Math.max(...examples.map(([args]) => args.length));
  const lines = examples.map(([args, what]) => `  $ airflow-ml ${args.padEnd(width)}  # ${what}`);
  return cmd.addHelpText('after', `\nExamples:\n${lines.join('\n')}`);
}
