import { MARK_STATES, markRun } from '../ops/airflow/dag-runs-admin';
import { choice, clientFromFlags, type AirflowCommandFlags } from '../config/cli-options';
import { out } from '../output/print';

export { MARK_STATES };

/** `mark DAG RUN success|failed`: what the UI's "Mark as" does, without curl. */
export async function runMark(
  dagId: string,
  runId: string,
  state: string,
  flags: AirflowCommandFlags,
): Promise<void> {
  const wanted = choice('STATE', state, MARK_STATES);
  const run = await markRun(clientFromFlags(flags), dagId, runId, wanted);
  out(`marked ${dagId} ${run.dag_run_id} ${run.state}`);
}
