import * as path from 'node:path';
import type { Command } from 'commander';
import { CheckFailedError } from '../errors';
import { out } from '../output/print';
import { projectRoot } from '../paths';
import {
  checkGeneratedFiles,
  compileOrThrow,
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
  const result = compileOrThrow({ root, specsDir: flags.specs });
  const { specsDir } = result;
  const outDir = path.resolve(root, flags.out);
  if (flags.check) {
    const { stale, orphaned } = checkGeneratedFiles(outDir, result.files, specsDir);
    if (stale.length + orphaned.length > 0) {
      throw new CheckFailedError(
        `generated DAG files are stale in ${flags.out}: ${[...stale, ...orphaned.map((f) => `${f} (no spec)`)].join(', ')}`,
        'run `npx airflow-ml compile` and commit the result',
      );
    }
    out(`${result.files.size} DAG file(s) in ${flags.out} are up to date`);
    return;
  }
  const report = writeGeneratedFiles(outDir, result.files, specsDir);
  for (const f of report.written) out(`wrote ${path.join(flags.out, f)}`);
  for (const f of report.removed) out(`removed ${path.join(flags.out, f)} (its spec is gone)`);
  out(
    `${result.files.size} DAG file(s): ${report.written.length} written, ${report.unchanged.length} unchanged`,
  );
}
