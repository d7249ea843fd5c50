import type { AirflowClient } from './client';
import { getDag } from './dags';
import { explainStatus } from './errors';
import { apiPaths } from './paths';
import type { DagResponse, DagRunResponse, TaskInstanceCollection } from './api-types';

/**
 * Day-2 changes to DAGs and runs that the UI offers and users otherwise make with curl:
 * pause/unpause, mark a run, clear task instances. Each checks that what it names exists
 * first, so a typo is "Airflow has no DAG x", not a bare 404.
 */

/**
 * Pause or unpause every DAG in `dagIds`. All are looked up before any is changed, so an
 * unknown id changes nothing. Returns each DAG as it was before.
 */
export async function setDagsPaused(
  client: AirflowClient,
  dagIds: string[],
  paused: boolean,
): Promise<DagResponse[]> {
  const before: DagResponse[] = [];
  for (const id of dagIds) before.push(await getDag(client, id));
  for (const dag of before) {
    if (dag.is_paused !== paused) {
      await client.patch<DagResponse>(apiPaths.dag(dag.dag_id), { is_paused: paused });
    }
  }
  return before;
}

export type MarkState = 'success' | 'failed';
export const MARK_STATES: readonly MarkState[] = ['success', 'failed'];

/** Set a run's state, as the UI's "mark success/failed" does (its unfinished tasks too). */
export async function markRun(
  client: AirflowClient,
  dagId: string,
  runId: string,
  state: MarkState,
): Promise<DagRunResponse> {
  await getDag(client, dagId);
  return explainStatus(
    client.patch<DagRunResponse>(apiPaths.dagRun(dagId, runId), { state }),
    404,
    `${dagId} has no run "${runId}"`,
    `list its runs with \`airflow-ml runs ${dagId}\``,
  );
}

export interface ClearOptions {
  /** Only these tasks; default every task of the run. */
  taskIds?: string[];
  /** Only task instances that failed (or were upstream_failed). */
  failedOnly?: boolean;
}

/**
 * Clear task instances of one run so the scheduler runs them again; the run goes back to
 * queued. Returns the task ids Airflow cleared (empty when nothing matched).
 */
export async function clearRun(
  client: AirflowClient,
  dagId: string,
  runId: string,
  options: ClearOptions = {},
): Promise<string[]> {
  await getDag(client, dagId);
  await explainStatus(
    client.get<DagRunResponse>(apiPaths.dagRun(dagId, runId)),
    404,
    `${dagId} has no run "${runId}"`,
    `list its runs with \`airflow-ml runs ${dagId}\``,
  );
  for (const taskId of options.taskIds ?? []) {
    await explainStatus(
      client.get(apiPaths.task(dagId, taskId)),
      404,
      `${dagId} has no task "${taskId}"`,
      `\`airflow-ml runs ${dagId}\` lists each run's tasks`,
    );
  }
  const cleared = await explainStatus(
    client.post<TaskInstanceCollection>(apiPaths.clearTaskInstances(dagId), {
      dry_run: false,
      dag_run_id: runId,
      only_failed: options.failedOnly ?? false,
      reset_dag_runs: true,
      ...(options.taskIds && options.taskIds.length > 0 ? { task_ids: options.taskIds } : {}),
    }),
    400,
    `Airflow refused to clear ${options.taskIds?.join(', ') ?? 'the tasks'} of ${dagId} ${runId}`,
    `check the task ids: \`airflow-ml runs ${dagId}\` lists each run's tasks`,
  );
  return [...new Set(cleared.task_instances.map((t) => t.task_id))].sort();
}
