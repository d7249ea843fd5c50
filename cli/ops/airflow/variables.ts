import { bulkCreate, type OnExistence } from './bulk';
import { fetchAll } from './pages';
import type { AirflowClient } from './client';
import { explainStatus } from './errors';
import { apiPaths } from './paths';
import type { VariableCollection, VariableResponse } from './api-types';
import type { VariableInput } from './variables-file';

/**
 * Create or overwrite variables in one bulk request (`action_on_existence`), so "set" is an
 * upsert and an existing key is never an error. Returns the keys Airflow wrote.
 */
export function upsertVariables(
  client: AirflowClient,
  variables: VariableInput[],
  onExistence: OnExistence = 'overwrite',
): Promise<string[]> {
  const entities = variables.map((v) => ({
    key: v.key,
    value: v.value,
    ...(v.description != null ? { description: v.description } : {}),
  }));
  return bulkCreate(client, apiPaths.variables, entities, onExistence);
}

export async function setVariable(
  client: AirflowClient,
  key: string,
  value: string,
): Promise<void> {
  await upsertVariables(client, [{ key, value }]);
}

export function getVariable(client: AirflowClient, key: string): Promise<VariableResponse> {
  return explainStatus(
    client.get<VariableResponse>(apiPaths.variable(key)),
    404,
    `Airflow has no variable "${key}"`,
    'set it with `airflow-ml set-variable KEY VALUE` (keys are case-sensitive)',
  );
}

export function listVariables(client: AirflowClient): Promise<VariableResponse[]> {
  return fetchAll(client, apiPaths.variables, (p: VariableCollection) => ({
    items: p.variables,
    total: p.total_entries,
  }));
}
