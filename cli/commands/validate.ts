import * as path from 'node:path';
import type { Command } from 'commander';
import { out } from '../output/print';
import { projectRoot } from '../paths';
import { compileOrThrow, DEFAULT_SPECS_DIR } from '../project';
import { explainSchedule } from '../ir/explain';

export function registerValidate(program: Command): void {
  program
    .command('validate [files...]')
    .description(
      'Check specs (schema, graph, steps, paths, schedule) and print every problem as file:line:col.',
    )
    .option('--specs <dir>', 'spec folder, when no files are given', DEFAULT_SPECS_DIR)
    .option('--explain', "also print each DAG's next three run times, in its time zone")
    .action((files: string[], flags: { specs: string; explain?: boolean }) => {
      const root = projectRoot();
      const result = compileOrThrow({
        root,
        specsDir: flags.specs,
        files: files.length ? files.map((f) => path.resolve(f)) : undefined,
      });
      out(`${result.files.size} spec(s) valid`);
      if (flags.explain) {
        const now = new Date();
        for (const p of [...result.pipelines].sort((a, b) => a.dagId.localeCompare(b.dagId)))
          out(explainSchedule(p, now));
      }
    });
}
