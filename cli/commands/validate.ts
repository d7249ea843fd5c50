import type { Command } from 'commander';
import { out } from '../output/print';
import { projectRoot } from '../base/paths';
import { compileOrThrow, DEFAULT_SPECS_DIR, specFileArgs } from '../compiler/project';
import { explainSchedules } from '../compiler/ir/explain';

export function registerValidate(program: Command): void {
  program
    .command('validate [files...]')
    .description(
      'Check specs (schema, graph, steps, paths, schedule) and print every problem as file:line:col (- reads a spec from standard input).',
    )
    .option('--specs <dir>', 'spec folder, when no files are given', DEFAULT_SPECS_DIR)
    .option('--explain', "also print each DAG's next three run times, in its time zone")
    .action((files: string[], flags: { specs: string; explain?: boolean }) => {
      const result = compileOrThrow({
        root: projectRoot(),
        specsDir: flags.specs,
        files: specFileArgs(files),
      });
      out(`${result.files.size} spec(s) valid`);
      if (flags.explain) explainSchedules(result.pipelines, new Date()).forEach((l) => out(l));
    });
}
