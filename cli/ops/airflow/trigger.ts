import { RunFailedError } from '../../base/errors';
import type { AirflowClient } from './client';
import { fetchTaskLog, tail } from './logs';
import { listTaskInstances, triggerRun, waitForRun, type TriggerResult } from './runs';
import type { DagRunResponse } from './api-types';

export interface TriggerOptions {
  dagId: string;
  /** Timezone-aware ISO datetime, see logicalDateForDay. */
  logicalDate: string;
  wait?: boolean;
  timeoutMs?: number;
  pollMs?: number;
  /** Progress lines (state changes, warnings). */
  report?: (line: string) => void;
  /** Log lines to show per failed task. */
  logTailLines?: number;
}

export interface TriggerOutcome extends TriggerResult {
  /** The final run, when waiting. */
  final?: DagRunResponse;
}

/**
 * Trigger a run; with `wait`, follow it to the end and throw RunFailedError (with each
 * failed task's log tail) when it fails or does not finish in time.
 */
export async function triggerDag(
  client: AirflowClient,
  options: TriggerOptions,
): Promise<TriggerOutcome> {
  const report = options.report ?? (() => undefined);
  const result = await triggerRun(client, options.dagId, options.logicalDate);
  const { run } = result;
  if (result.recoveredFrom) {
    report(`the answer to the trigger was lost (${result.recoveredFrom})`);
    report(`run ${run.dag_run_id} exists in Airflow, so the trigger worked`);
  }
  report(
    `triggered ${options.dagId} run ${run.dag_run_id} (logical date ${run.logical_date}, ${run.state})`,
  );
  if (result.dagPaused) {
    report(
      `warning: ${options.dagId} is paused; the run stays queued until it is unpaused (airflow-ml deploy unpauses)`,
    );
  }
  if (!options.wait) return result;

  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const { run: final, finished } = await waitForRun(client, options.dagId, run.dag_run_id, {
    timeoutMs,
    pollMs: options.pollMs,
    onState: (r) => report(`${r.dag_run_id}: ${r.state}`),
  });
  if (!finished) {
    throw new RunFailedError(
      `run ${run.dag_run_id} of ${options.dagId} did not finish within ${timeoutMs / 1000} s (still ${final.state})`,
      result.dagPaused
        ? 'the DAG is paused: unpause it (airflow-ml deploy) and the run will start'
        : `follow it with \`airflow-ml runs ${options.dagId}\`, or wait longer with --timeout SECONDS`,
    );
  }
  if (final.state === 'failed') {
    throw new RunFailedError(
      await describeFailure(client, options.dagId, final, options.logTailLines ?? 30),
      `full logs: airflow-ml logs ${options.dagId} '${final.dag_run_id}' TASK_ID`,
    );
  }
  return { ...result, final };
}

async function describeFailure(
  client: AirflowClient,
  dagId: string,
  run: DagRunResponse,
  tailLines: number,
): Promise<string> {
  const tasks = await listTaskInstances(client, dagId, run.dag_run_id);
  const failed = tasks.filter((t) => t.state === 'failed');
  const parts = [
    `run ${run.dag_run_id} of ${dagId} failed` +
      (failed.length > 0 ? `; failed task(s): ${failed.map((t) => t.task_id).join(', ')}` : ''),
  ];
  for (const t of failed) {
    try {
      const log = await fetchTaskLog(client, {
        dagId,
        runId: run.dag_run_id,
        taskId: t.task_id,
        tryNumber: Math.max(1, t.try_number),
        mapIndex: t.map_index,
      });
      parts.push(`--- ${t.task_id} (try ${log.tryNumber}), last ${tailLines} log lines ---`);
      parts.push(...tail(log.lines, tailLines).map((l) => client.redact(l)));
    } catch (err) {
      parts.push(`--- ${t.task_id}: could not read its log: ${(err as Error).message} ---`);
    }
  }
  return parts.join('\n');
}
