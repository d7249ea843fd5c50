import * as path from 'node:path';
import type { Command } from 'commander';
import { CheckFailedError, SpecError } from '../errors';
import { projectRoot } from '../paths';
import {
  checkGeneratedFiles,
  compileProject,
  DEFAULT_DAGS_DIR,
  DEFAULT_SPECS_DIR,
  writeGeneratedFiles,
} from '../project';

interface CompileFlags {
  specs: string;
  out: string;
  check?: boolean;
}

export function registerCompile(program: Command): void {
  program
    .command('compile')
    .description(
      'Compile dag-specs/*.yaml into Airflow DAG files (nothing is written if any spec is invalid).',
    )
    .option('--specs <dir>', 'spec folder', DEFAULT_SPECS_DIR)
    .option('--out <dir>', 'output folder for the DAG files', DEFAULT_DAGS_DIR)
    .option('--check', 'write nothing; exit 1 when the files on disk are stale')
    .action((flags: CompileFlags) => runCompile(flags));
}

export function runCompile(flags: CompileFlags, root = projectRoot()): void {
  const result = compileProject({ root, specsDir: flags.specs });
  if (result.diagnostics.length > 0) throw new SpecError(result.diagnostics);
  const outDir = path.resolve(root, flags.out);
  // The spec folder as the generated headers name it: relative to the project root.
  const specsDir = path.relative(root, path.resolve(root, flags.specs));
  if (flags.check) {
    const { stale, orphaned } = checkGeneratedFiles(outDir, result.files, specsDir);
    if (stale.length + orphaned.length > 0) {
      throw new CheckFailedError(
        `generated DAG files are stale in ${flags.out}: ${[...stale, ...orphaned.map((f) => `${f} (no spec)`)].join(', ')}`,
        'run `npx airflow-ml compile` and commit the result',
      );
    }
    console.log(`${result.files.size} DAG file(s) in ${flags.out} are up to date`);
    return;
  }
  const report = writeGeneratedFiles(outDir, result.files, specsDir);
  for (const f of report.written) console.log(`wrote ${path.join(flags.out, f)}`);
  for (const f of report.removed)
    console.log(`removed ${path.join(flags.out, f)} (its spec is gone)`);
  console.log(
    `${result.files.size} DAG file(s): ${report.written.length} written, ${report.unchanged.length} unchanged`,
  );
}
