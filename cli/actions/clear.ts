import { clearRun } from '../ops/airflow/dag-runs-admin';
import { clientFromFlags, type AirflowCommandFlags } from '../config/cli-options';
import { out } from '../output/print';

export interface ClearFlags extends AirflowCommandFlags {
  task?: string[];
  failedOnly?: boolean;
}

/** `clear DAG RUN`: task instances back to no state, so the scheduler runs them again. */
export async function runClear(dagId: string, runId: string, flags: ClearFlags): Promise<void> {
  const cleared = await clearRun(clientFromFlags(flags), dagId, runId, {
    taskIds: flags.task,
    failedOnly: flags.failedOnly,
  });
  out(
    cleared.length === 0
      ? `nothing to clear in ${dagId} ${runId}${flags.failedOnly ? ' (no failed task)' : ''}`
      : `cleared ${cleared.length} task(s) of ${dagId} ${runId}: ${cleared.join(', ')}`,
  );
}
