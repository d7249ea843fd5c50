import type { Command } from 'commander';
import { compileToFolder } from '../compiler/compile-folder';
import { out } from '../output/print';
import { projectRoot } from '../base/paths';
import { DEFAULT_DAGS_DIR, DEFAULT_SPECS_DIR } from '../compiler/project';

export function registerCompile(program: Command): void {
  program
    .command('compile')
    .description('Compile the specs into DAG files; none is written if any spec is invalid.')
    .option('--specs <dir>', 'spec folder', DEFAULT_SPECS_DIR)
    .option('--out <dir>', 'output folder for the DAG files', DEFAULT_DAGS_DIR)
    .option('--check', 'write nothing; exit 1 when the files on disk are stale')
    .option(
      '--runner <name>',
      "docker (DockerOperator) or kubernetes (KubernetesPodOperator) for every spec's steps; default: each spec's runner",
    )
    .action((flags: { specs: string; out: string; check?: boolean; runner?: string }) =>
      compileToFolder({ root: projectRoot(), ...flags }).forEach((l) => out(l)),
    );
}
