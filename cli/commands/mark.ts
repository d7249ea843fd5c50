import type { Command } from 'commander';
import { MARK_STATES, markRun } from '../ops/airflow/dag-runs-admin';
import {
  choice,
  clientFromFlags,
  withAirflowOptions,
  type AirflowCommandFlags,
} from '../config/cli-options';
import { out } from '../output/print';

/** `mark DAG RUN success|failed`: what the UI's "Mark as" does, without curl. */
export function registerMark(program: Command): void {
  withAirflowOptions(program.command('mark'))
    .description(
      "Set a run's state to success or failed (its unfinished tasks follow), e.g. to release a run stuck on a sensor.",
    )
    .argument('<dag_id>')
    .argument('<run_id>')
    .argument('<state>', MARK_STATES.join(' or '))
    .action(async (dagId: string, runId: string, state: string, flags: AirflowCommandFlags) => {
      const wanted = choice('STATE', state, MARK_STATES);
      const run = await markRun(clientFromFlags(flags), dagId, runId, wanted);
      out(`marked ${dagId} ${run.dag_run_id} ${run.state}`);
    });
}
