import { runsJson } from '../output/json';
import { listRecentRuns } from '../ops/airflow/runs';
import { formatTable } from '../output/table';
import type { DagRunResponse } from '../ops/airflow/api-types';
import { clientFromFlags, positiveInteger, type AirflowCommandFlags } from '../config/cli-options';
import { out, outJson } from '../output/print';

/** `runs DAG`: recent runs, newest first, each with its tasks' states (one batched call). */
export async function runRuns(
  dagId: string,
  flags: AirflowCommandFlags & { limit: string; json?: boolean },
): Promise<void> {
  const limit = positiveInteger('--limit', flags.limit, 10);
  const runs = await listRecentRuns(clientFromFlags(flags), dagId, limit);
  if (flags.json) {
    outJson(runsJson(runs));
    return;
  }
  if (runs.length === 0) {
    out(`no runs of ${dagId} yet`);
    return;
  }
  out(
    formatTable(
      ['RUN ID', 'LOGICAL DATE', 'STATE', 'VERSION', 'STARTED', 'ENDED', 'TASKS'],
      runs.map(({ run, tasks }) => [
        run.dag_run_id,
        run.logical_date ?? '-',
        run.state,
        dagVersions(run),
        run.start_date ?? '-',
        run.end_date ?? '-',
        tasks.map((t) => `${t.task_id}=${t.state ?? 'none'}`).join(' '),
      ]),
    ),
  );
}

/**
 * The DAG versions the run's tasks ran, as Airflow numbers them: one (`v3`) when the run is
 * pinned to a version, as on the stack's git bundle; `v1,v2` shows a run that mixed them.
 */
function dagVersions(run: DagRunResponse): string {
  const numbers = (run.dag_versions ?? []).map((v) => v.version_number).sort((a, b) => a - b);
  return numbers.map((n) => `v${n}`).join(',') || '-';
}
