import { InternalError } from '../../base/errors';
import type { paths } from './generated/rest-api';

/**
 * REST API v2 paths. Each is written as the OpenAPI template it fills, typed as a key of the
 * generated `paths`, so a path the pinned Airflow does not serve fails `tsc` instead of
 * answering 404 at run time. Every id is URL-encoded (run ids contain `:` and `+`).
 */
type Template = keyof paths;

function fill(template: Template, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new InternalError(`no value for {${name}} in ${template}`);
    return encodeURIComponent(String(value));
  });
}

export const apiPaths = {
  health: fill('/api/v2/monitor/health'),
  version: fill('/api/v2/version'),
  variables: fill('/api/v2/variables'),
  variable: (key: string) => fill('/api/v2/variables/{variable_key}', { variable_key: key }),
  connections: fill('/api/v2/connections'),
  dags: fill('/api/v2/dags'),
  dag: (dagId: string) => fill('/api/v2/dags/{dag_id}', { dag_id: dagId }),
  dagVersions: (dagId: string) => fill('/api/v2/dags/{dag_id}/dagVersions', { dag_id: dagId }),
  importErrors: fill('/api/v2/importErrors'),
  parseDagFile: (fileToken: string) =>
    fill('/api/v2/parseDagFile/{file_token}', { file_token: fileToken }),
  dagRuns: (dagId: string) => fill('/api/v2/dags/{dag_id}/dagRuns', { dag_id: dagId }),
  dagRun: (dagId: string, runId: string) =>
    fill('/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}', { dag_id: dagId, dag_run_id: runId }),
  taskInstances: (dagId: string, runId: string) =>
    fill('/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances', {
      dag_id: dagId,
      dag_run_id: runId,
    }),
  /** Task instances of many runs in one POST; `~` stands for every DAG and every run. */
  taskInstancesList: (dagId = '~', runId = '~') =>
    fill('/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/list', {
      dag_id: dagId,
      dag_run_id: runId,
    }),
  taskInstance: (dagId: string, runId: string, taskId: string) =>
    fill('/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}', {
      dag_id: dagId,
      dag_run_id: runId,
      task_id: taskId,
    }),
  task: (dagId: string, taskId: string) =>
    fill('/api/v2/dags/{dag_id}/tasks/{task_id}', { dag_id: dagId, task_id: taskId }),
  clearTaskInstances: (dagId: string) =>
    fill('/api/v2/dags/{dag_id}/clearTaskInstances', { dag_id: dagId }),
  backfills: fill('/api/v2/backfills'),
  backfillsDryRun: fill('/api/v2/backfills/dry_run'),
  backfill: (id: number) => fill('/api/v2/backfills/{backfill_id}', { backfill_id: id }),
  backfillCancel: (id: number) =>
    fill('/api/v2/backfills/{backfill_id}/cancel', { backfill_id: id }),
  taskLog: (dagId: string, runId: string, taskId: string, tryNumber: number) =>
    fill('/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/logs/{try_number}', {
      dag_id: dagId,
      dag_run_id: runId,
      task_id: taskId,
      try_number: tryNumber,
    }),
};
