import type { AirflowClient } from './client';
import { getDag } from './dags';
import { explainStatus } from './errors';
import { answerLost, lostReason } from './lost-answer';
import { fetchAll, postAll } from './pages';
import { apiPaths } from './paths';
import type {
  DagRunCollection,
  DagRunResponse,
  DagRunState,
  TaskInstanceCollection,
  TaskInstanceResponse,
  TaskInstancesBatchBody,
} from './api-types';

export interface TriggerResult {
  run: DagRunResponse;
  /** A paused DAG's run stays queued until someone unpauses it. */
  dagPaused: boolean;
  /**
   * Set when the trigger's answer was lost (a reset, a timeout, a 5xx) and the run was then
   * found by its id: what became of the answer, e.g. "ECONNRESET" or "HTTP 502".
   */
  recoveredFrom?: string;
}

/**
 * The run id a trigger sends: one per logical date, like the run itself (Airflow allows one run
 * per DAG and logical date), and readable. Airflow's own would carry the trigger time and a
 * random suffix, which a lost answer could never be matched against.
 */
export function manualRunId(logicalDate: string): string {
  return `manual__${logicalDate}`;
}

/**
 * POST a manual run with an explicit, timezone-aware logical date and a run id chosen here,
 * so that a trigger whose answer was lost can look its run up instead of guessing: the POST
 * itself is never repeated (cli/ops/airflow/retry.ts).
 */
export async function triggerRun(
  client: AirflowClient,
  dagId: string,
  logicalDate: string,
  conf: Record<string, unknown> = {},
): Promise<TriggerResult> {
  // Checked first so a missing DAG gets "deploy it", not a bare 404 from the trigger.
  const dag = await getDag(client, dagId);
  const runId = manualRunId(logicalDate);
  try {
    const run = await explainStatus(
      client.post<DagRunResponse>(apiPaths.dagRuns(dagId), {
        dag_run_id: runId,
        logical_date: logicalDate,
        conf,
      }),
      409,
      `${dagId} already has a run for logical date ${logicalDate}`,
      `see it with \`airflow-ml runs ${dagId}\`, or trigger another --date`,
    );
    return { run, dagPaused: dag.is_paused };
  } catch (err) {
    if (!answerLost(err)) throw err;
    const run = await findRun(client, dagId, runId);
    if (run === undefined || run.logical_date === null) throw err;
    if (Date.parse(run.logical_date) !== Date.parse(logicalDate)) throw err;
    return { run, dagPaused: dag.is_paused, recoveredFrom: lostReason(err) };
  }
}

/** The run, or undefined when Airflow has none with that id (or cannot be asked). */
async function findRun(
  client: AirflowClient,
  dagId: string,
  runId: string,
): Promise<DagRunResponse | undefined> {
  try {
    return await getRun(client, dagId, runId);
  } catch {
    return undefined;
  }
}

export function getRun(
  client: AirflowClient,
  dagId: string,
  runId: string,
): Promise<DagRunResponse> {
  return client.get<DagRunResponse>(apiPaths.dagRun(dagId, runId));
}

/** Every task instance of one run (all pages). */
export function listTaskInstances(
  client: AirflowClient,
  dagId: string,
  runId: string,
): Promise<TaskInstanceResponse[]> {
  return fetchAll(client, apiPaths.taskInstances(dagId, runId), taskInstancePage);
}

export interface RunSummary {
  run: DagRunResponse;
  tasks: TaskInstanceResponse[];
}

/**
 * The newest `limit` runs (by run_after), each with its task instances: the runs page by
 * page, then the task instances of all of them in one batched POST …/taskInstances/list
 * (paged the same way), not one request per run.
 */
export async function listRecentRuns(
  client: AirflowClient,
  dagId: string,
  limit = 10,
): Promise<RunSummary[]> {
  await getDag(client, dagId);
  const runs = await fetchAll(
    client,
    apiPaths.dagRuns(dagId),
    (p: DagRunCollection) => ({ items: p.dag_runs, total: p.total_entries }),
    { order_by: ['-run_after'] },
    limit,
  );
  if (runs.length === 0) return [];
  const body: Omit<TaskInstancesBatchBody, 'page_offset' | 'page_limit'> = {
    dag_ids: [dagId],
    dag_run_ids: runs.map((r) => r.dag_run_id),
  };
  const tasks = await postAll(client, apiPaths.taskInstancesList(), body, taskInstancePage);
  return runs.map((run) => ({
    run,
    tasks: tasks.filter((t) => t.dag_run_id === run.dag_run_id),
  }));
}

function taskInstancePage(p: TaskInstanceCollection) {
  return { items: p.task_instances, total: p.total_entries };
}

export const FINAL_RUN_STATES = new Set<DagRunState>(['success', 'failed']);

export interface WaitOptions {
  timeoutMs: number;
  pollMs?: number;
  /** Called once per state change. */
  onState?: (run: DagRunResponse) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** Poll a run until it succeeds or fails; `finished: false` when `timeoutMs` passes first. */
export async function waitForRun(
  client: AirflowClient,
  dagId: string,
  runId: string,
  options: WaitOptions,
): Promise<{ run: DagRunResponse; finished: boolean }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const deadline = Date.now() + options.timeoutMs;
  let last: string | undefined;
  for (;;) {
    const run = await getRun(client, dagId, runId);
    if (run.state !== last) {
      last = run.state;
      options.onState?.(run);
    }
    if (FINAL_RUN_STATES.has(run.state)) return { run, finished: true };
    if (Date.now() >= deadline) return { run, finished: false };
    await sleep(Math.min(options.pollMs ?? 2000, Math.max(0, deadline - Date.now())));
  }
}
