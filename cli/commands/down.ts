import type { Command } from 'commander';
import { note, out } from '../config/cli-options';
import { projectRoot } from '../paths';
import { down } from '../stack/down';

interface DownFlags {
  stackEnvFile?: string;
  volumes?: boolean;
}

/** `airflow-ml down`: a thin adapter over cli/stack/down. */
export function registerDown(program: Command): void {
  program
    .command('down')
    .description(
      "Stop the local Airflow stack. Airflow's database (runs, variables, connections) and the data root are kept unless --volumes.",
    )
    .option('--stack-env-file <file>', 'stack settings (default <project>/.env)')
    .option('--volumes', "also delete Airflow's database volume (the data root is never deleted)")
    .action(async (flags: DownFlags) => {
      await down({
        root: projectRoot(),
        envFile: flags.stackEnvFile,
        volumes: flags.volumes,
        report: note,
      });
      out(flags.volumes ? 'stack stopped; database volume removed' : 'stack stopped; data kept');
    });
}
