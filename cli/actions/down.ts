import { note, out } from '../output/print';
import { confirmDestructive } from '../config/confirm';
import { projectRoot } from '../base/paths';
import { down } from '../ops/stack/down';

export interface DownFlags {
  stackEnvFile?: string;
  volumes?: boolean;
  yes?: boolean;
}

/** `down`: stops the stack; the database volume goes only with --volumes, after asking. */
export async function runDown(flags: DownFlags): Promise<void> {
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
}
