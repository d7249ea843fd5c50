import type { Command } from 'commander';
import { note, out } from '../output/print';
import { confirmDestructive } from '../config/confirm';
import { projectRoot } from '../base/paths';
import { down } from '../ops/stack/down';

interface DownFlags {
  stackEnvFile?: string;
  volumes?: boolean;
  yes?: boolean;
}

/** `airflow-ml down`: a thin adapter over cli/ops/stack/down. */
export function registerDown(program: Command): void {
  program
    .command('down')
    .description(
      "Stop the local Airflow stack. Airflow's database (runs, variables, connections) and the data root are kept unless --volumes.",
    )
    .option('--stack-env-file <file>', 'stack settings (default <project>/.env)')
    .option(
      '--volumes',
      "also delete Airflow's database volume (asks first; the data root is never deleted)",
    )
    .option('-y, --yes', 'with --volumes: delete without asking (needed without a terminal)')
    .action(async (flags: DownFlags) => {
      if (flags.volumes && !flags.yes) {
        await confirmDestructive({
          what: "Airflow's database volume (runs, variables, connections, users)",
          yesFlag: '--yes',
        });
      }
      await down({
        root: projectRoot(),
        envFile: flags.stackEnvFile,
        volumes: flags.volumes,
        report: note,
      });
      out(flags.volumes ? 'stack stopped; database volume removed' : 'stack stopped; data kept');
    });
}
