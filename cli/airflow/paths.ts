/** REST API v2 paths; every id is URL-encoded (run ids contain `:` and `+`). */
const e = encodeURIComponent;
const V2 = '/api/v2';

export const apiPaths = {
  health: `${V2}/monitor/health`,
  version: `${V2}/version`,
  variables: `${V2}/variables`,
  variable: (key: string) => `${V2}/variables/${e(key)}`,
  connections: `${V2}/connections`,
  dags: `${V2}/dags`,
  dag: (dagId: string) => `${V2}/dags/${e(dagId)}`,
  dagVersions: (dagId: string) => `${V2}/dags/${e(dagId)}/dagVersions`,
  importErrors: `${V2}/importErrors`,
  parseDagFile: (fileToken: string) => `${V2}/parseDagFile/${e(fileToken)}`,
  dagRuns: (dagId: string) => `${V2}/dags/${e(dagId)}/dagRuns`,
  dagRun: (dagId: string, runId: string) => `${V2}/dags/${e(dagId)}/dagRuns/${e(runId)}`,
  taskInstances: (dagId: string, runId: string) =>
    `${V2}/dags/${e(dagId)}/dagRuns/${e(runId)}/taskInstances`,
  taskInstance: (dagId: string, runId: string, taskId: string) =>
    `${V2}/dags/${e(dagId)}/dagRuns/${e(runId)}/taskInstances/${e(taskId)}`,
  task: (dagId: string, taskId: string) => `${V2}/dags/${e(dagId)}/tasks/${e(taskId)}`,
  clearTaskInstances: (dagId: string) => `${V2}/dags/${e(dagId)}/clearTaskInstances`,
  backfills: `${V2}/backfills`,
  backfillsDryRun: `${V2}/backfills/dry_run`,
  backfill: (id: number) => `${V2}/backfills/${id}`,
  backfillCancel: (id: number) => `${V2}/backfills/${id}/cancel`,
  taskLog: (dagId: string, runId: string, taskId: string, tryNumber: number) =>
    `${V2}/dags/${e(dagId)}/dagRuns/${e(runId)}/taskInstances/${e(taskId)}/logs/${tryNumber}`,
};
