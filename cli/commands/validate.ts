import * as path from 'node:path';
import type { Command } from 'commander';
import { SpecError } from '../errors';
import { projectRoot } from '../paths';
import { compileProject, DEFAULT_SPECS_DIR } from '../project';

export function registerValidate(program: Command): void {
  program
    .command('validate [files...]')
    .description(
      'Check specs (schema, graph, steps, paths, schedule) and print every problem as file:line:col.',
    )
    .option('--specs <dir>', 'spec folder, when no files are given', DEFAULT_SPECS_DIR)
    .action((files: string[], flags: { specs: string }) => {
      const root = projectRoot();
      const result = compileProject({
        root,
        specsDir: flags.specs,
        files: files.length ? files.map((f) => path.resolve(f)) : undefined,
      });
      if (result.diagnostics.length > 0) throw new SpecError(result.diagnostics);
      console.log(`${result.files.size} spec(s) valid`);
    });
}
