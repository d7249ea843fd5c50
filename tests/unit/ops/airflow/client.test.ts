import { AirflowClient } from '../../../../cli/ops/airflow/client';
import {
  AirflowApiError,
  AirflowUnreachableError,
  AuthError,
} from '../../../../cli/ops/airflow/errors';
import { ExitCode } from '../../../../cli/base/errors';
import {
  closedPort,
  startFakeServer,
  type FakeHandler,
  type FakeRequest,
  type FakeServer,
} from './fake-server';

const PASSWORD = 'pw-Sup3r-s3cret';
const TOKEN = 'eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXRva2Vu';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(api: FakeHandler, tokenBody: unknown = { access_token: TOKEN }) {
  server = await startFakeServer((req) => {
    if (req.url === '/auth/token') {
      return JSON.parse(req.body).password === PASSWORD
        ? { status: 201, body: tokenBody }
        : { status: 401, body: { detail: 'Invalid credentials' } };
    }
    return api(req);
  });
  const delays: number[] = [];
  const lines: string[] = [];
  const client = new AirflowClient({
    url: `${server.url}/api/v2/`,
    username: 'admin',
    password: PASSWORD,
    timeoutMs: 2000,
    sleep: async (ms) => {
      delays.push(ms);
    },
    log: (l) => lines.push(l),
  });
  return { client, delays, lines, requests: server.requests };
}

const apiCalls = (requests: FakeRequest[]) => requests.filter((r) => r.url !== '/auth/token');
const logins = (requests: FakeRequest[]) => requests.filter((r) => r.url === '/auth/token');

test('logs in once, sends the bearer token and returns the body', async () => {
  const { client, requests } = await setup(() => ({ status: 200, body: { ok: 1 } }));
  expect(await client.get('/api/v2/x')).toEqual({ ok: 1 });
  expect(await client.get('/api/v2/y')).toEqual({ ok: 1 });
  expect(logins(requests)).toHaveLength(1);
  expect(apiCalls(requests)[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
  expect(JSON.parse(logins(requests)[0].body)).toEqual({ username: 'admin', password: PASSWORD });
});

test('accepts jwt_token from older auth managers', async () => {
  const { client, requests } = await setup(() => ({ status: 200, body: {} }), { jwt_token: TOKEN });
  await client.get('/api/v2/x');
  expect(apiCalls(requests)[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
});

test.each([
  [401, { detail: 'Token Expired' }],
  [403, { detail: 'Invalid JWT token' }],
])('a refused token (%i) causes exactly one fresh login', async (status, body) => {
  let refused = false;
  const { client, requests } = await setup(() => {
    if (!refused) {
      refused = true;
      return { status, body };
    }
    return { status: 200, body: { ok: true } };
  });
  expect(await client.get('/api/v2/x')).toEqual({ ok: true });
  expect(logins(requests)).toHaveLength(2);
  expect(apiCalls(requests)).toHaveLength(2);
});

test('a token refused again after the fresh login is an AuthError, with no third login', async () => {
  const { client, requests } = await setup(() => ({
    status: 401,
    body: { detail: 'Token Expired' },
  }));
  const err = await client.get('/api/v2/x').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AuthError);
  expect((err as AuthError).exitCode).toBe(ExitCode.auth);
  expect(logins(requests)).toHaveLength(2);
});

test('403 Forbidden (no permission) is an AuthError without a new login', async () => {
  const { client, requests } = await setup(() => ({ status: 403, body: { detail: 'Forbidden' } }));
  await expect(client.get('/api/v2/x')).rejects.toBeInstanceOf(AuthError);
  expect(logins(requests)).toHaveLength(1);
});

test('wrong password: AuthError, exit code auth, no password in the text', async () => {
  server = await startFakeServer(() => ({ status: 401, body: { detail: 'Invalid credentials' } }));
  const client = new AirflowClient({
    url: server.url,
    username: 'admin',
    password: 'wrong-Pa55word',
  });
  const err = (await client.get('/api/v2/x').catch((e: unknown) => e)) as AuthError;
  expect(err).toBeInstanceOf(AuthError);
  expect(err.exitCode).toBe(ExitCode.auth);
  expect(err.message).toMatch(/refused the username or password/);
  expect(`${err.message}\n${err.hint}`).not.toContain('wrong-Pa55word');
});

test('5xx is retried with backoff, then succeeds', async () => {
  let n = 0;
  const { client, delays } = await setup(() =>
    ++n < 3 ? { status: 503, body: 'busy' } : { status: 200, body: 'ok' },
  );
  expect(await client.get('/api/v2/x')).toBe('ok');
  expect(n).toBe(3);
  expect(delays).toEqual([500, 1000]);
});

test('5xx that persists is reported after bounded retries with status and body', async () => {
  const { client, requests, delays } = await setup(() => ({
    status: 500,
    body: { detail: 'db exploded' },
  }));
  const err = (await client
    .put('/api/v2/variables', { a: 1 })
    .catch((e: unknown) => e)) as AirflowApiError;
  expect(err).toBeInstanceOf(AirflowApiError);
  expect(err.exitCode).toBe(ExitCode.airflowApi);
  expect(err.status).toBe(500);
  expect(err.request).toEqual({ method: 'PUT', url: `${server?.url}/api/v2/variables` });
  expect(err.message).toContain('answered 500 after 4 attempts');
  expect(err.bodyExcerpt).toContain('db exploded');
  expect(err.hint).toMatch(/api-server log/);
  expect(apiCalls(requests)).toHaveLength(4);
  expect(delays).toEqual([500, 1000, 2000]);
});

test.each(['POST', 'PATCH'])('%s is sent once on a 5xx: it may have been applied', async (m) => {
  const { client, requests, delays } = await setup(() => ({ status: 502, body: 'gateway' }));
  const err = (await client.request(m, '/api/v2/x', { body: {} }).catch((e: unknown) => e)) as
    AirflowApiError | undefined;
  expect(err).toBeInstanceOf(AirflowApiError);
  expect(err?.message).toBe(`${m} ${server?.url}/api/v2/x answered 502: gateway`);
  expect(apiCalls(requests).map((r) => r.method)).toEqual([m]);
  expect(delays).toEqual([]);
});

test.each(['POST', 'PATCH'])(
  '%s is sent once when the connection breaks after sending',
  async (m) => {
    const { client, requests, delays } = await setup(() => 'reset');
    const err = (await client
      .request(m, '/api/v2/x', { body: {} })
      .catch((e: unknown) => e)) as AirflowUnreachableError;
    expect(err).toBeInstanceOf(AirflowUnreachableError);
    expect(err.exitCode).toBe(ExitCode.airflowUnreachable);
    expect(err.mayHaveReached).toBe(true);
    expect(err.message).toBe(
      `the connection to Airflow at ${server?.url} broke after the request was sent (ECONNRESET): ${m} ${server?.url}/api/v2/x; not repeated, because Airflow may have applied it`,
    );
    expect(apiCalls(requests)).toHaveLength(1);
    expect(delays).toEqual([]);
  },
);

test.each(['GET', 'PUT', 'DELETE'])('%s is retried after a reset', async (m) => {
  let n = 0;
  const { client, requests, delays } = await setup(() =>
    ++n < 3 ? 'reset' : { status: 200, body: 'ok' },
  );
  expect(await client.request(m, '/api/v2/x')).toBe('ok');
  expect(apiCalls(requests).map((r) => r.method)).toEqual([m, m, m]);
  expect(delays).toEqual([500, 1000]);
});

test('a login is retried after a reset: issuing a token changes nothing', async () => {
  let resets = 1;
  server = await startFakeServer((req) =>
    req.url === '/auth/token' && resets-- > 0
      ? 'reset'
      : req.url === '/auth/token'
        ? { status: 201, body: { access_token: TOKEN } }
        : { status: 200, body: 'ok' },
  );
  const client = new AirflowClient({
    url: server.url,
    username: 'admin',
    password: PASSWORD,
    sleep: async () => undefined,
  });
  expect(await client.get('/api/v2/x')).toBe('ok');
  expect(logins(server.requests)).toHaveLength(2);
});

test('4xx is never retried', async () => {
  const { client, requests } = await setup(() => ({ status: 404, body: { detail: 'nope' } }));
  const err = (await client.get('/api/v2/x').catch((e: unknown) => e)) as AirflowApiError;
  expect(err.status).toBe(404);
  expect(apiCalls(requests)).toHaveLength(1);
});

test('a POST is retried when the connection was refused: it never reached Airflow', async () => {
  const port = await closedPort();
  const delays: number[] = [];
  const client = new AirflowClient({
    url: `http://127.0.0.1:${port}`,
    username: 'admin',
    password: PASSWORD,
    token: TOKEN,
    sleep: async (ms) => {
      delays.push(ms);
    },
  });
  const err = (await client
    .post('/api/v2/dags/d/dagRuns', {})
    .catch((e: unknown) => e)) as AirflowUnreachableError;
  expect(err.message).toBe(
    `cannot reach Airflow at http://127.0.0.1:${port} (ECONNREFUSED after 4 attempts): POST http://127.0.0.1:${port}/api/v2/dags/d/dagRuns`,
  );
  expect(err.mayHaveReached).toBe(false);
  expect(delays).toEqual([500, 1000, 2000]);
});

test('connection refused is retried, then AirflowUnreachableError', async () => {
  const port = await closedPort();
  const delays: number[] = [];
  const client = new AirflowClient({
    url: `http://127.0.0.1:${port}`,
    username: 'admin',
    password: PASSWORD,
    sleep: async (ms) => {
      delays.push(ms);
    },
  });
  const err = (await client.get('/api/v2/x').catch((e: unknown) => e)) as AirflowUnreachableError;
  expect(err).toBeInstanceOf(AirflowUnreachableError);
  expect(err.exitCode).toBe(ExitCode.airflowUnreachable);
  expect(err.message).toMatch(/cannot reach Airflow .*ECONNREFUSED after 4 attempts/);
  expect(err.hint).toMatch(/is Airflow running/);
  expect(delays).toEqual([500, 1000, 2000]);
});

test('a hanging request times out, once, as AirflowUnreachableError', async () => {
  const { client, requests } = await setup(() => 'hang');
  const started = Date.now();
  const err = (await client
    .get('/api/v2/x', { timeoutMs: 300 })
    .catch((e: unknown) => e)) as AirflowUnreachableError;
  expect(err).toBeInstanceOf(AirflowUnreachableError);
  expect(err.reason).toBe('timeout');
  expect(err.message).toMatch(/no answer from Airflow within 0.3 s: GET/);
  expect(Date.now() - started).toBeLessThan(1500);
  expect(apiCalls(requests)).toHaveLength(1);
});

test('secrets echoed by Airflow never reach errors or logs', async () => {
  const { client, lines } = await setup((req) => ({
    status: 422,
    body: { detail: [{ msg: 'bad', input: req.body, auth: req.headers.authorization }] },
  }));
  const err = (await client
    .post(
      '/api/v2/connections',
      { password: 'conn-secret-123', also: PASSWORD },
      { secrets: ['conn-secret-123'] },
    )
    .catch((e: unknown) => e)) as AirflowApiError;
  const text = `${err.message}\n${err.hint}\n${err.bodyExcerpt}\n${lines.join('\n')}`;
  expect(err.status).toBe(422);
  expect(text).toContain('***');
  for (const secret of [PASSWORD, TOKEN, 'conn-secret-123']) expect(text).not.toContain(secret);
});

test('the base URL drops a trailing /api/v2 and any userinfo', () => {
  const c = new AirflowClient({
    url: 'http://u:p4ssw0rd@localhost:8080/api/v2/',
    username: 'u',
    password: 'p4ssw0rd',
  });
  expect(c.baseUrl).toBe('http://localhost:8080');
});

test('status: open endpoints, no login; unhealthy components are reported', async () => {
  const { getAirflowStatus } = await import('../../../../cli/ops/airflow/health');
  server = await startFakeServer((req) => {
    if (req.url === '/api/v2/version')
      return { status: 200, body: { version: '3.3.2', git_version: null } };
    return {
      status: 200,
      body: {
        metadatabase: { status: 'healthy' },
        scheduler: { status: 'healthy', latest_scheduler_heartbeat: 'T1' },
        triggerer: { status: 'unhealthy', latest_triggerer_heartbeat: 'T0' },
        dag_processor: null,
      },
    };
  });
  const client = new AirflowClient({ url: server.url, username: '', password: '' });
  const status = await getAirflowStatus(client);
  expect(status).toEqual({
    url: server.url,
    version: '3.3.2',
    healthy: false,
    components: [
      { name: 'metadatabase', status: 'healthy', latestHeartbeat: null },
      { name: 'scheduler', status: 'healthy', latestHeartbeat: 'T1' },
      { name: 'dag-processor', status: 'unknown', latestHeartbeat: null },
      { name: 'triggerer', status: 'unhealthy', latestHeartbeat: 'T0' },
    ],
  });
  expect(server.requests.map((r) => r.url)).toEqual(['/api/v2/monitor/health', '/api/v2/version']);
  expect(server.requests.filter((r) => r.headers.authorization !== undefined)).toEqual([]);
});
