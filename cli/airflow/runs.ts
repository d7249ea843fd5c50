import type { AirflowClient } from './client';
import { getDag } from './dags';
import { explainStatus } from './errors';
import { apiPaths } from './paths';
import type {
  DagRunCollection,
  DagRunResponse,
  TaskInstanceCollection,
  TaskInstanceResponse,
} from './types';

export interface TriggerResult {
  run: DagRunResponse;
  /** A paused DAG's run stays queued until someone unpauses it. */
  dagPaused: boolean;
}

/** POST a manual run with an explicit, timezone-aware logical date. */
export async function triggerRun(
  client: AirflowClient,
  dagId: string,
  logicalDate: string,
  conf: Record<string, unknown> = {},
): Promise<TriggerResult> {
  // Checked first so a missing DAG gets "deploy it", not a bare 404 from the trigger.
  const dag = await getDag(client, dagId);
  const run = await explainStatus(
    client.post<DagRunResponse>(apiPaths.dagRuns(dagId), { logical_date: logicalDate, conf }),
    409,
    `${dagId} already has a run for logical date ${logicalDate}`,
    `see it with \`airflow-ml runs ${dagId}\`, or trigger another --date`,
  );
  return { run, dagPaused: dag.is_paused };
}

export function getRun(
  client: AirflowClient,
  dagId: string,
  runId: string,
): Promise<DagRunResponse> {
  return client.get<DagRunResponse>(apiPaths.dagRun(dagId, runId));
}

export async function listTaskInstances(
  client: AirflowClient,
  dagId: string,
  runId: string,
): Promise<TaskInstanceResponse[]> {
  const page = await client.get<TaskInstanceCollection>(apiPaths.taskInstances(dagId, runId), {
    query: { limit: 1000 },
  });
  return page.task_instances;
}

export interface RunSummary {
  run: DagRunResponse;
  tasks: TaskInstanceResponse[];
}

/** The newest `limit` runs (by run_after), each with its task instances. */
export async function listRecentRuns(
  client: AirflowClient,
  dagId: string,
  limit = 10,
): Promise<RunSummary[]> {
  await getDag(client, dagId);
  const page = await client.get<DagRunCollection>(apiPaths.dagRuns(dagId), {
    query: { limit, order_by: ['-run_after'] },
  });
  const out: RunSummary[] = [];
  for (const run of page.dag_runs) {
    out.push({ run, tasks: await listTaskInstances(client, dagId, run.dag_run_id) });
  }
  return out;
}

export const FINAL_RUN_STATES = new Set(['success', 'failed']);

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
