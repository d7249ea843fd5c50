import type { Command } from 'commander';
import { setDagsPaused } from '../ops/airflow/dag-runs-admin';
import {
  clientFromFlags,
  withAirflowOptions,
  type AirflowCommandFlags,
} from '../config/cli-options';
import { out } from '../output/print';

/** `pause DAG…` / `unpause DAG…`: all DAGs are checked before any is changed. */
export function registerPause(program: Command): void {
  for (const paused of [true, false]) {
    const verb = paused ? 'pause' : 'unpause';
    withAirflowOptions(program.command(verb))
      .description(
        paused
          ? 'Pause DAGs: the scheduler creates no new runs and starts no new tasks for them.'
          : 'Unpause DAGs: the scheduler runs them again (a DAG with catchup runs what it missed).',
      )
      .argument('<dag_id...>')
      .action(async (dagIds: string[], flags: AirflowCommandFlags) => {
        const before = await setDagsPaused(clientFromFlags(flags), dagIds, paused);
        for (const dag of before) {
          out(
            dag.is_paused === paused
              ? `${dag.dag_id} was already ${verb}d`
              : `${verb}d ${dag.dag_id}`,
          );
        }
      });
  }
}
