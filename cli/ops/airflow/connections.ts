import { bulkCreate } from './bulk';
import { fetchAll } from './pages';
import type { AirflowClient } from './client';
import { apiPaths } from './paths';
import type { ConnectionBody, ConnectionCollection, ConnectionResponse } from './api-types';

/**
 * Create or overwrite connections (bulk PATCH, `action_on_existence: overwrite`): an existing
 * id is updated, not an error. Declarative: a field not given is cleared (sent as null),
 * because on overwrite Airflow keeps any field left out of the body, and a re-run must give
 * the same connection whatever was there before. The one exception is the password: Airflow
 * ignores an empty or null password, so an existing one is kept unless a new one is given.
 * Passwords are registered as secrets, so an error that echoes the request body cannot
 * print them.
 */
export function upsertConnections(
  client: AirflowClient,
  connections: ConnectionBody[],
): Promise<string[]> {
  const entities = connections.map(complete);
  return bulkCreate(
    client,
    apiPaths.connections,
    entities,
    'overwrite',
    connections.map((c) => c.password ?? undefined),
  );
}

export function listConnections(client: AirflowClient): Promise<ConnectionResponse[]> {
  return fetchAll(client, apiPaths.connections, (p: ConnectionCollection) => ({
    items: p.connections,
    total: p.total_entries,
  }));
}

function complete(c: ConnectionBody): ConnectionBody {
  return {
    connection_id: c.connection_id,
    conn_type: c.conn_type,
    description: c.description ?? null,
    host: c.host ?? null,
    login: c.login ?? null,
    schema: c.schema ?? null,
    port: c.port ?? null,
    extra: c.extra ?? null,
    ...(c.password ? { password: c.password } : {}),
  };
}
