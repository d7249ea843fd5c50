import { setDagsPaused } from '../ops/airflow/dag-runs-admin';
import { clientFromFlags, type AirflowCommandFlags } from '../config/cli-options';
import { out } from '../output/print';

export const PAUSE_HELP = {
  pause: 'Pause DAGs: the scheduler creates no new runs and starts no new tasks for them.',
  unpause: 'Unpause DAGs: the scheduler runs them again (a DAG with catchup runs what it missed).',
};

/** `pause DAG…` / `unpause DAG…`: all DAGs are checked before any is changed. */
export function pauseAction(verb: 'pause' | 'unpause') {
  const paused = verb === 'pause';
  return async (dagIds: string[], flags: AirflowCommandFlags): Promise<void> => {
    const before = await setDagsPaused(clientFromFlags(flags), dagIds, paused);
    for (const dag of before) {
      out(
        dag.is_paused === paused ? `${dag.dag_id} was already ${verb}d` : `${verb}d ${dag.dag_id}`,
      );
    }
  };
}
