import { AirflowClient } from '../../../../cli/ops/airflow/client';
import { upsertConnections } from '../../../../cli/ops/airflow/connections';
import { AirflowApiError } from '../../../../cli/ops/airflow/errors';
import { setVariable, upsertVariables } from '../../../../cli/ops/airflow/variables';
import { startFakeServer, type FakeServer } from './fake-server';

let server: FakeServer;
afterEach(() => server?.close());

async function fake(body: unknown) {
  server = await startFakeServer((req) =>
    req.url === '/auth/token'
      ? { status: 201, body: { access_token: 'tok-123456' } }
      : { status: 200, body },
  );
  return new AirflowClient({ url: server.url, username: 'u', password: 'pw-secret' });
}
const sent = () => JSON.parse(server.requests.filter((r) => r.method === 'PATCH')[0].body);

test('set-variable is one bulk create with overwrite', async () => {
  const client = await fake({ create: { success: ['K'], errors: [] } });
  await setVariable(client, 'K', 'V');
  expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
    'POST /auth/token',
    'PATCH /api/v2/variables',
  ]);
  expect(sent()).toEqual({
    actions: [
      { action: 'create', action_on_existence: 'overwrite', entities: [{ key: 'K', value: 'V' }] },
    ],
  });
});

test('a 200 answer with per-entity errors is an AirflowApiError', async () => {
  const client = await fake({
    create: {
      success: [],
      errors: [{ error: "The variables with these keys: {'K'} already exist.", status_code: 409 }],
    },
  });
  const err = (await upsertVariables(client, [{ key: 'K', value: 'V' }], 'fail').catch(
    (e: unknown) => e,
  )) as AirflowApiError;
  expect(err).toBeInstanceOf(AirflowApiError);
  expect(err.status).toBe(409);
  expect(err.message).toBe(
    `PATCH ${server.url}/api/v2/variables reported 1 failed entity: The variables with these keys: {'K'} already exist.`,
  );
});

test('skip returns only the keys Airflow created', async () => {
  const client = await fake({ create: { success: ['NEW'], errors: [] } });
  const written = await upsertVariables(
    client,
    [
      { key: 'NEW', value: 'a' },
      { key: 'OLD', value: 'b', description: 'kept' },
    ],
    'skip',
  );
  expect(written).toEqual(['NEW']);
  expect(sent().actions[0].entities).toEqual([
    { key: 'NEW', value: 'a' },
    { key: 'OLD', value: 'b', description: 'kept' },
  ]);
});

test('connections: every field sent (null when not given), password only when given', async () => {
  const client = await fake({ create: { success: ['c1', 'c2'], errors: [] } });
  await upsertConnections(client, [
    { connection_id: 'c1', conn_type: 'fs', extra: '{"path":"/d"}' },
    { connection_id: 'c2', conn_type: 'smtp', host: 'h', port: 25, login: 'u', password: 'p4ss' },
  ]);
  expect(sent().actions[0]).toEqual({
    action: 'create',
    action_on_existence: 'overwrite',
    entities: [
      {
        connection_id: 'c1',
        conn_type: 'fs',
        description: null,
        host: null,
        login: null,
        schema: null,
        port: null,
        extra: '{"path":"/d"}',
      },
      {
        connection_id: 'c2',
        conn_type: 'smtp',
        description: null,
        host: 'h',
        login: 'u',
        schema: null,
        port: 25,
        extra: null,
        password: 'p4ss',
      },
    ],
  });
});
