import { fetchAll } from './pages';
import type { AirflowClient } from './client';
import { explainStatus } from './errors';
import { apiPaths } from './paths';
import type {
  DagCollection,
  DagResponse,
  DagVersionCollection,
  DagVersionResponse,
  ImportErrorCollection,
  ImportErrorResponse,
} from './api-types';

/** Every DAG Airflow knows that is not stale (its file still exists). */
export function listDags(client: AirflowClient): Promise<DagResponse[]> {
  return fetchAll(client, apiPaths.dags, (p: DagCollection) => ({
    items: p.dags,
    total: p.total_entries,
  }));
}

export function getDag(client: AirflowClient, dagId: string): Promise<DagResponse> {
  return explainStatus(
    client.get<DagResponse>(apiPaths.dag(dagId)),
    404,
    `Airflow has no DAG "${dagId}"`,
    'deploy it with `airflow-ml deploy`; a new file appears after the next DAG folder scan',
  );
}

export function setPaused(
  client: AirflowClient,
  dagId: string,
  paused: boolean,
): Promise<DagResponse> {
  return client.patch<DagResponse>(apiPaths.dag(dagId), { is_paused: paused });
}

/**
 * The DAG's newest version: what a run created now would run (the scheduler builds runs from
 * the newest serialized DAG). Undefined while the DAG has none.
 */
export async function latestDagVersion(
  client: AirflowClient,
  dagId: string,
): Promise<DagVersionResponse | undefined> {
  const page = await client.get<DagVersionCollection>(apiPaths.dagVersions(dagId), {
    query: { order_by: ['-version_number'], limit: 1 },
  });
  return page.dag_versions[0];
}

/** Ask the dag-processor to parse a file it already knows, now rather than at its next scan. */
export async function requestReparse(client: AirflowClient, fileToken: string): Promise<void> {
  await client.put(apiPaths.parseDagFile(fileToken), undefined);
}

export function listImportErrors(client: AirflowClient): Promise<ImportErrorResponse[]> {
  return fetchAll(client, apiPaths.importErrors, (p: ImportErrorCollection) => ({
    items: p.import_errors,
    total: p.total_entries,
  }));
}
