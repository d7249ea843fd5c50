import type { Command } from 'commander';
import { runValidate } from '../actions/validate';
import { DEFAULT_SPECS_DIR } from '../compiler/project';

export function registerValidate(program: Command): void {
  program
    .command('validate [files...]')
    .description(
      'Check specs (schema, graph, steps, paths, schedule) and print every problem as file:line:col (- reads a spec from standard input).',
    )
    .option('--specs <dir>', 'spec folder, when no files are given', DEFAULT_SPECS_DIR)
    .option('--explain', "also print each DAG's next three run times, in its time zone")
    .action(runValidate);
}
