import type { AirflowClient } from '../airflow/client';
import { latestDagVersion, listDags, listImportErrors, requestReparse } from '../airflow/dags';
import type { DagResponse, ImportErrorResponse } from '../airflow/api-types';
import { DagParseError } from './errors';
import type { PlannedFile } from './types';

export interface WaitParsedOptions {
  timeoutMs: number;
  /**
   * The bundle commit deploy just made (bundle-repo.ts). When Airflow reads the DAGs from a
   * versioned bundle (it reports a `bundle_version` for them), a new or changed file counts as
   * parsed only once its DAG's newest version is at that commit: a parse already under way
   * reads the previous commit, and Airflow skips writing a DAG serialized less than
   * [core] min_serialized_dag_update_interval ago, so a moved last_parsed_time (or even the
   * DAG's bundle_version) alone does not mean that new runs get the new code. An Airflow that
   * reads the DAGs folder itself reports no bundle_version; then last_parsed_time decides.
   */
  bundleVersion?: string;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  report?: (message: string) => void;
}

/**
 * Wait until Airflow has parsed the current content of every deployed DAG file.
 *
 * Clock-free: it compares Airflow's own timestamps before and after rather than ours.
 * - The state is read right after the files were written; every deployed file whose DAG is
 *   already known is queued for reparsing (PUT /parseDagFile/{file_token}), and counts as done
 *   once its `last_parsed_time` moves. A file Airflow has not seen is done when its DAG shows
 *   up, which happens at the dag-processor's next folder scan ([dag_processor] refresh_interval).
 * - An unchanged file whose DAG is present needs nothing.
 * - An import error for a deployed file fails at once when it is new since that read (or the
 *   file is unchanged, so the error is current); an older error on a changed file is stale
 *   and waits for the new parse.
 * Returns the DAGs as Airflow now reports them.
 */
export async function waitForParsedDags(
  client: AirflowClient,
  files: PlannedFile[],
  options: WaitParsedOptions,
): Promise<Map<string, DagResponse>> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const report = options.report ?? (() => undefined);
  const expected = files.filter((f): f is PlannedFile & { dagId: string } => f.dagId !== undefined);
  const deadline = Date.now() + options.timeoutMs;

  const before = byDagId(await listDags(client));
  const errorsBefore = byFile(await listImportErrors(client), expected);
  for (const f of expected) {
    const dag = before.get(f.dagId);
    if (dag && f.action !== 'unchanged') {
      await requestReparse(client, dag.file_token);
      report(`asked Airflow to reparse ${f.name}`);
    }
  }

  const atVersion = new Set<string>();
  for (;;) {
    const dags = byDagId(await listDags(client));
    const errors = byFile(await listImportErrors(client), expected);
    const failed = expected.filter((f) => {
      const e = errors.get(f.name);
      return (
        e !== undefined &&
        (f.action === 'unchanged' || errorsBefore.get(f.name)?.timestamp !== e.timestamp)
      );
    });
    if (failed.length > 0) {
      const details = failed.map((f) => ({
        file: f.name,
        stackTrace: errors.get(f.name)?.stack_trace ?? '',
      }));
      throw new DagParseError(
        `Airflow could not import ${failed.map((f) => f.name).join(', ')}:\n` +
          details.map((d) => `--- ${d.file} ---\n${d.stackTrace.trimEnd()}`).join('\n'),
        'fix the error above (a missing provider or module in the Airflow environment, or a bug in the DAG) and deploy again',
        failed.map((f) => f.dagId),
        details,
      );
    }
    const missing: typeof expected = [];
    for (const f of expected) {
      if (!isParsed(f, dags.get(f.dagId), before.get(f.dagId), options.bundleVersion)) {
        missing.push(f);
      } else if (
        options.bundleVersion &&
        f.action !== 'unchanged' &&
        dags.get(f.dagId)?.bundle_version &&
        !atVersion.has(f.dagId)
      ) {
        const latest = await latestDagVersion(client, f.dagId);
        if (latest?.bundle_version === options.bundleVersion) atVersion.add(f.dagId);
        else missing.push(f);
      }
    }
    if (missing.length === 0) return dags;
    if (Date.now() >= deadline) {
      const stale = expected.flatMap((f) => {
        const e = errors.get(f.name);
        return e ? [{ file: f.name, stackTrace: e.stack_trace }] : [];
      });
      throw new DagParseError(
        `Airflow had not parsed ${missing.map((f) => f.dagId).join(', ')} after ${options.timeoutMs / 1000} s` +
          (stale.length > 0
            ? `; import errors on record:\n${stale.map((d) => `--- ${d.file} ---\n${d.stackTrace.trimEnd()}`).join('\n')}`
            : ''),
        'is the dag-processor running and reading this DAGs folder (the compose stack: the bundle repository deploy commits to)? New files are found every ' +
          '[dag_processor] refresh_interval (300 s by default; lower it for local use) — or raise --parse-timeout',
        missing.map((f) => f.dagId),
        stale,
      );
    }
    await sleep(Math.min(options.pollMs ?? 2000, Math.max(0, deadline - Date.now())));
  }
}

function isParsed(
  f: PlannedFile,
  now: DagResponse | undefined,
  before: DagResponse | undefined,
  bundleVersion: string | undefined,
): boolean {
  if (!now || now.is_stale) return false;
  if (f.action === 'unchanged') return true;
  if (bundleVersion !== undefined && now.bundle_version)
    return now.bundle_version === bundleVersion;
  if (!before) return true;
  return now.last_parsed_time !== before.last_parsed_time;
}

function byDagId(dags: DagResponse[]): Map<string, DagResponse> {
  return new Map(dags.map((d) => [d.dag_id, d]));
}

/** Import errors keyed by deployed file name; Airflow reports paths relative to the bundle. */
function byFile(
  errors: ImportErrorResponse[],
  files: PlannedFile[],
): Map<string, ImportErrorResponse> {
  const out = new Map<string, ImportErrorResponse>();
  for (const f of files) {
    const e = errors.find((x) => x.filename === f.name || x.filename.endsWith(`/${f.name}`));
    if (e) out.set(f.name, e);
  }
  return out;
}
