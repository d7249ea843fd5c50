import type { AirflowClient } from '../airflow/client';
import { AirflowApiError } from '../airflow/errors';
import { apiPaths } from '../airflow/paths';
import { triggerRun } from '../airflow/runs';
import type { DagRunCollection } from '../airflow/api-types';
import type { Pipeline } from '../../compiler/ir/types';

/**
 * First runs that find their inputs. With `catchup: false`, unpausing a DAG makes the
 * scheduler run its *latest* interval: today for a daily DAG, but last Sunday for a weekly
 * one. A weekly train_model then waits for raw/<last Sunday>/, which the daily generate_data,
 * unpaused at the same moment, never writes; its sensors would hold the DAG (and, with
 * max_active_runs 1, every manual run behind it) until they time out.
 *
 * So, for a DAG that has never run, before it is unpaused: each file its sensors wait for is
 * matched to the DAG whose steps write that same path template, and when the writer's own
 * first run is for another day, the writer is triggered for the reader's day. Nothing is
 * guessed about schedules: the first logical dates come from Airflow itself
 * (next_dagrun_logical_date of the parsed, still-paused DAG).
 */

/** What a pipeline's sensors wait for and what its steps write, as path templates. */
export interface PipelineIO {
  dagId: string;
  waitsFor: string[];
  writes: string[];
}

export function pipelineIO(p: Pipeline): PipelineIO {
  return {
    dagId: p.dagId,
    waitsFor: p.tasks.flatMap((t) => (t.kind === 'sensor' ? [t.path] : [])),
    writes: p.tasks.flatMap((t) => (t.kind === 'step' ? t.outputs.map((o) => o.value) : [])),
  };
}

/** A DAG that has never run, with the logical date of its first scheduled run. */
export interface FreshDag {
  dagId: string;
  firstLogicalDate: string;
}

export interface FirstRun {
  /** The DAG to trigger, */
  dagId: string;
  /** for this logical date, */
  logicalDate: string;
  /** so that this DAG's first run finds this path. */
  forDag: string;
  path: string;
}

/** Pure: the producer runs to trigger. One per (producer, day), in a stable order. */
export function planFirstRuns(io: PipelineIO[], fresh: FreshDag[]): FirstRun[] {
  const firstDay = new Map(fresh.map((f) => [f.dagId, f.firstLogicalDate]));
  const day = (iso: string) => iso.slice(0, 10);
  const planned = new Map<string, FirstRun>();
  for (const reader of io) {
    const readerDate = firstDay.get(reader.dagId);
    if (readerDate === undefined) continue;
    for (const path of reader.waitsFor) {
      const writer = io.find((w) => w.dagId !== reader.dagId && w.writes.includes(path));
      if (!writer) continue;
      const writerDate = firstDay.get(writer.dagId);
      if (writerDate !== undefined && day(writerDate) === day(readerDate)) continue;
      const key = `${writer.dagId}\0${day(readerDate)}`;
      if (!planned.has(key)) {
        planned.set(key, {
          dagId: writer.dagId,
          logicalDate: readerDate,
          forDag: reader.dagId,
          path,
        });
      }
    }
  }
  return [...planned.values()].sort(
    (a, b) => a.dagId.localeCompare(b.dagId) || a.logicalDate.localeCompare(b.logicalDate),
  );
}

/** DAGs among `dagIds` that have no run yet, with their first scheduled logical date. */
export async function freshDags(client: AirflowClient, dagIds: string[]): Promise<FreshDag[]> {
  const out: FreshDag[] = [];
  for (const dagId of dagIds) {
    const runs = await client.get<DagRunCollection>(`${apiPaths.dagRuns(dagId)}?limit=1`);
    if (runs.dag_runs.length > 0) continue;
    const dag = await client.get<{ next_dagrun_logical_date?: string | null }>(apiPaths.dag(dagId));
    if (dag.next_dagrun_logical_date) {
      out.push({ dagId, firstLogicalDate: dag.next_dagrun_logical_date });
    }
  }
  return out;
}

/** Plans against Airflow's state and triggers the producer runs; returns what it triggered. */
export async function applyFirstRuns(
  client: AirflowClient,
  pipelines: Pipeline[],
  report: (message: string) => void,
): Promise<FirstRun[]> {
  const fresh = await freshDags(
    client,
    pipelines.map((p) => p.dagId),
  );
  const plan = planFirstRuns(pipelines.map(pipelineIO), fresh);
  for (const run of plan) {
    try {
      await triggerRun(client, run.dagId, run.logicalDate);
    } catch (err) {
      // That day already has a run of the writer: its output is there or on its way.
      if (err instanceof AirflowApiError && err.status === 409) continue;
      throw err;
    }
    report(
      `triggered ${run.dagId} for ${run.logicalDate.slice(0, 10)}: ${run.forDag}'s first scheduled run waits for ${run.path.replace(/\{\{ *ds *\}\}/g, run.logicalDate.slice(0, 10))}`,
    );
  }
  if (plan.length === 0 && fresh.length > 0) {
    report('every first scheduled run finds its inputs; nothing to trigger');
  }
  return plan;
}
