import {
  backfillProgress,
  cancelBackfill,
  describeCounts,
  describeProgress,
  latestBackfill,
  REPROCESS,
  startBackfill,
  waitForBackfill,
  type BackfillProgress,
} from '../ops/airflow/backfill';
import type { AirflowClient } from '../ops/airflow/client';
import { logicalDateForDay } from '../ops/airflow/logical-date';
import type { ReprocessBehavior } from '../ops/airflow/api-types';
import {
  choice,
  clientFromFlags,
  positiveInteger,
  positiveNumber,
  type AirflowCommandFlags,
} from '../config/cli-options';
import { note, out } from '../output/print';
import { AirflowApiError } from '../ops/airflow/errors';
import { RunFailedError, UsageError } from '../base/errors';

export interface BackfillFlags extends AirflowCommandFlags {
  from?: string;
  to?: string;
  reprocess: string;
  maxActiveRuns?: string;
  wait?: boolean;
  timeout: string;
  poll: string;
  status?: boolean;
  cancel?: boolean;
}

type Action =
  | { kind: 'status' | 'cancel' }
  | {
      kind: 'start';
      from: string;
      to: string;
      reprocess: ReprocessBehavior;
      maxActiveRuns?: number;
      wait: boolean;
      timeoutMs: number;
      pollMs: number;
    };

/** Every flag is checked here, before configuration or network. */
export function parseBackfillFlags(flags: BackfillFlags): Action {
  if (flags.status && flags.cancel)
    throw new UsageError('--status and --cancel exclude each other');
  if (flags.status || flags.cancel) {
    if (flags.from !== undefined || flags.to !== undefined || flags.wait) {
      throw new UsageError(
        `--${flags.status ? 'status' : 'cancel'} takes no --from, --to or --wait`,
      );
    }
    return { kind: flags.status ? 'status' : 'cancel' };
  }
  if (flags.from === undefined || flags.to === undefined) {
    throw new UsageError(
      'backfill needs --from and --to (or --status, or --cancel)',
      'e.g. airflow-ml backfill generate_data --from 2026-03-01 --to 2026-03-07',
    );
  }
  const from = logicalDateForDay(flags.from, undefined, '--from');
  const to = logicalDateForDay(flags.to, undefined, '--to');
  if (from > to) throw new UsageError(`--from ${flags.from} is after --to ${flags.to}`);
  return {
    kind: 'start',
    from,
    to,
    reprocess: choice('--reprocess', flags.reprocess, REPROCESS),
    maxActiveRuns:
      flags.maxActiveRuns === undefined
        ? undefined
        : positiveInteger('--max-active-runs', flags.maxActiveRuns, 10),
    wait: flags.wait ?? false,
    timeoutMs: positiveNumber('--timeout', flags.timeout, 3600) * 1000,
    pollMs: positiveNumber('--poll', flags.poll, 3) * 1000,
  };
}

/** `backfill DAG`: start (and with --wait follow), show or cancel the DAG's backfill. */
export async function runBackfill(dagId: string, flags: BackfillFlags): Promise<void> {
  const action = parseBackfillFlags(flags);
  const client = clientFromFlags(flags);
  if (action.kind !== 'start') {
    const latest = await latestBackfill(client, dagId);
    if (!latest) return out(`${dagId} has no backfill`);
    if (action.kind === 'cancel') {
      if (latest.completed_at !== null) {
        out(
          `backfill ${latest.id} of ${dagId} already finished at ${latest.completed_at}; nothing to cancel`,
        );
        return;
      }
      await cancelOnce(client, latest.id);
      out(`cancelled backfill ${latest.id} of ${dagId}`);
    }
    printProgress(await backfillProgress(client, latest));
    return;
  }
  const { backfill, logicalDates, recoveredFrom } = await startBackfill(client, {
    dagId,
    from: action.from,
    to: action.to,
    reprocess: action.reprocess,
    maxActiveRuns: action.maxActiveRuns,
  });
  if (recoveredFrom) {
    note(`the answer to the backfill request was lost (${recoveredFrom})`);
    note(`backfill ${backfill.id} of this range exists in Airflow, so the request worked`);
  }
  out(
    `backfill ${backfill.id} of ${dagId}: ${logicalDates.length} run(s) from ${action.from.slice(0, 10)} to ${action.to.slice(0, 10)} (reprocess ${backfill.reprocess_behavior}, ${backfill.max_active_runs} at a time)`,
  );
  if (!action.wait) {
    note(
      `follow it: airflow-ml backfill ${dagId} --status; stop it: airflow-ml backfill ${dagId} --cancel`,
    );
    return;
  }
  note(
    `waiting; Ctrl-C stops waiting, not the backfill (airflow-ml backfill ${dagId} --cancel does)`,
  );
  const { progress, finished } = await waitForBackfill(client, backfill, {
    timeoutMs: action.timeoutMs,
    pollMs: action.pollMs,
    onProgress: (p) => note(describeProgress(p, logicalDates.length)),
  });
  printProgress(progress);
  if (!finished) {
    throw new RunFailedError(
      `backfill ${backfill.id} of ${dagId} did not finish within ${action.timeoutMs / 1000} s (${describeCounts(progress.counts)})`,
      `follow it with \`airflow-ml backfill ${dagId} --status\`, or wait longer with --timeout SECONDS`,
    );
  }
  const failed = progress.runs.filter((r) => r.state === 'failed');
  if (failed.length > 0) {
    throw new RunFailedError(
      `backfill ${backfill.id} of ${dagId}: ${failed.length} run(s) failed: ${failed.map((r) => r.dag_run_id).join(', ')}`,
      `see why with \`airflow-ml logs ${dagId} RUN_ID TASK_ID\`; rerun them with --reprocess failed`,
    );
  }
}

/** A repeated cancel (its answer lost) answers 409 "already completed": that is success. */
async function cancelOnce(client: AirflowClient, id: number): Promise<void> {
  try {
    await cancelBackfill(client, id);
  } catch (err) {
    if (!(err instanceof AirflowApiError && err.status === 409)) throw err;
  }
}

function printProgress(p: BackfillProgress): void {
  const b = p.backfill;
  out(
    `backfill ${b.id} of ${b.dag_id} (${b.from_date} to ${b.to_date}): ${p.done ? `finished at ${b.completed_at}` : b.is_paused ? 'paused' : 'running'}; ${describeCounts(p.counts)}`,
  );
  for (const run of p.runs) out(`  ${run.logical_date ?? '-'}  ${run.state}  ${run.dag_run_id}`);
}
