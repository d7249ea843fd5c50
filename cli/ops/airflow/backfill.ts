import type { AirflowClient } from './client';
import { getDag } from './dags';
import { AirflowApiError, explainStatus } from './errors';
import { answerLost, lostReason } from './lost-answer';
import { fetchAll } from './pages';
import { apiPaths } from './paths';
import type {
  BackfillCollection,
  BackfillResponse,
  DagRunCollection,
  DagRunResponse,
  DryRunBackfillCollection,
  ReprocessBehavior,
} from './api-types';

/**
 * Airflow 3's backfills (`/api/v2/backfills`): the scheduler creates one run per logical date
 * in the range and runs at most `max_active_runs` at a time. Airflow allows one active
 * backfill per DAG, so "cancel DAG's backfill" needs no id.
 */

export const REPROCESS: readonly ReprocessBehavior[] = ['none', 'failed', 'completed'];

export interface BackfillRequest {
  dagId: string;
  /** Timezone-aware ISO datetimes, inclusive. */
  from: string;
  to: string;
  reprocess: ReprocessBehavior;
  maxActiveRuns?: number;
}

export interface BackfillStarted {
  backfill: BackfillResponse;
  /** The logical dates Airflow will run, from its own dry run. */
  logicalDates: string[];
  /** Set when the creation's answer was lost and the backfill was then found: what became of it. */
  recoveredFrom?: string;
}

/** How often a creation Airflow answered 503 (and provably did not apply) is sent again. */
const UNAPPLIED_RETRIES = 3;

/**
 * Create the backfill. Its POST is sent once, unless Airflow answered 503 and the DAG still has
 * no backfill newer than before: then nothing was applied (Airflow answers 503 when SQLite is
 * busy, "Database is locked", and rolls back), and the same POST is sent again, at most
 * UNAPPLIED_RETRIES times. A lost answer (a reset, a timeout, any 5xx) with a new backfill of
 * this range found is success.
 */
export async function startBackfill(
  client: AirflowClient,
  request: BackfillRequest,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<BackfillStarted> {
  await getDag(client, request.dagId);
  const before = (await newestBackfill(client, request.dagId))?.id ?? -1;
  const body = {
    dag_id: request.dagId,
    from_date: request.from,
    to_date: request.to,
    reprocess_behavior: request.reprocess,
    ...(request.maxActiveRuns === undefined ? {} : { max_active_runs: request.maxActiveRuns }),
  };
  // A dry run changes nothing, so it may be repeated like a GET.
  const dry = await client.post<DryRunBackfillCollection>(apiPaths.backfillsDryRun, body, {
    idempotent: true,
  });
  const logicalDates = dry.backfills.flatMap((b) => (b.logical_date ? [b.logical_date] : []));
  for (let attempt = 1; ; attempt++) {
    try {
      const backfill = await explainStatus(
        client.post<BackfillResponse>(apiPaths.backfills, body),
        409,
        `${request.dagId} already has a backfill running`,
        `follow it with \`airflow-ml backfill ${request.dagId} --status\`, or stop it with \`airflow-ml backfill ${request.dagId} --cancel\``,
      );
      return { backfill, logicalDates };
    } catch (err) {
      if (!answerLost(err)) throw err;
      const newest = await newestBackfill(client, request.dagId).catch(() => undefined);
      if (newest && newest.id > before && sameRange(newest, request)) {
        return { backfill: newest, logicalDates, recoveredFrom: lostReason(err) };
      }
      const unapplied =
        err instanceof AirflowApiError && err.status === 503 && (newest?.id ?? -1) === before;
      if (!unapplied || attempt > UNAPPLIED_RETRIES) throw err;
      await sleep(500 * 2 ** (attempt - 1));
    }
  }
}

function sameRange(b: BackfillResponse, request: BackfillRequest): boolean {
  return (
    Date.parse(b.from_date) === Date.parse(request.from) &&
    Date.parse(b.to_date) === Date.parse(request.to)
  );
}

/** The DAG's newest backfill (no DAG check), or undefined. */
async function newestBackfill(
  client: AirflowClient,
  dagId: string,
): Promise<BackfillResponse | undefined> {
  const page = await client.get<BackfillCollection>(apiPaths.backfills, {
    query: { dag_id: dagId, order_by: ['-id'], limit: 1 },
  });
  return page.backfills[0];
}

/** The DAG's newest backfill, or undefined when it never had one. */
export async function latestBackfill(
  client: AirflowClient,
  dagId: string,
): Promise<BackfillResponse | undefined> {
  await getDag(client, dagId);
  return newestBackfill(client, dagId);
}

export function getBackfill(client: AirflowClient, id: number): Promise<BackfillResponse> {
  return client.get<BackfillResponse>(apiPaths.backfill(id));
}

/** Cancel: Airflow pauses it, fails its queued runs and marks it completed. */
export function cancelBackfill(client: AirflowClient, id: number): Promise<BackfillResponse> {
  return client.put<BackfillResponse>(apiPaths.backfillCancel(id), undefined);
}

export interface BackfillProgress {
  backfill: BackfillResponse;
  /** The backfill's runs, oldest logical date first. */
  runs: DagRunResponse[];
  /** Runs per state, e.g. {success: 3, running: 1, queued: 3}. */
  counts: Record<string, number>;
  done: boolean;
}

/** The backfill and its runs: backfill-type runs whose logical date is in its range. */
export async function backfillProgress(
  client: AirflowClient,
  backfill: BackfillResponse,
): Promise<BackfillProgress> {
  const current = await getBackfill(client, backfill.id);
  const runs = await fetchAll(
    client,
    apiPaths.dagRuns(current.dag_id),
    (p: DagRunCollection) => ({ items: p.dag_runs, total: p.total_entries }),
    {
      run_type: ['backfill'],
      logical_date_gte: current.from_date,
      logical_date_lte: current.to_date,
      order_by: ['logical_date'],
    },
  );
  const counts: Record<string, number> = {};
  for (const run of runs) counts[run.state] = (counts[run.state] ?? 0) + 1;
  return {
    backfill: current,
    runs,
    counts,
    done: current.completed_at !== null,
  };
}

/** "backfill 4: 3/7 finished (3 success, 1 running, 3 queued)", for --wait's progress lines. */
export function describeProgress(p: BackfillProgress, total: number): string {
  const finished = (p.counts.success ?? 0) + (p.counts.failed ?? 0);
  return `backfill ${p.backfill.id}: ${finished}/${total} finished (${describeCounts(p.counts)})`;
}

/** "3 success, 1 running, 3 queued", states in a fixed order. */
export function describeCounts(counts: Record<string, number>): string {
  const order = ['success', 'failed', 'running', 'queued'];
  const states = [
    ...order,
    ...Object.keys(counts)
      .filter((s) => !order.includes(s))
      .sort(),
  ];
  const parts = states.filter((s) => counts[s]).map((s) => `${counts[s]} ${s}`);
  return parts.length > 0 ? parts.join(', ') : 'no runs yet';
}

export interface WaitBackfillOptions {
  timeoutMs: number;
  pollMs?: number;
  /** Called whenever the counts change. */
  onProgress?: (p: BackfillProgress) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** Poll until Airflow marks the backfill completed; `finished: false` on timeout. */
export async function waitForBackfill(
  client: AirflowClient,
  backfill: BackfillResponse,
  options: WaitBackfillOptions,
): Promise<{ progress: BackfillProgress; finished: boolean }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    const progress = await backfillProgress(client, backfill);
    const line = describeCounts(progress.counts);
    if (line !== last) {
      last = line;
      options.onProgress?.(progress);
    }
    if (progress.done) return { progress, finished: true };
    if (Date.now() >= deadline) return { progress, finished: false };
    await sleep(Math.min(options.pollMs ?? 2000, Math.max(0, deadline - Date.now())));
  }
}
