import { AirflowClient } from '../../../../cli/ops/airflow/client';
import { AirflowApiError, AirflowUnreachableError } from '../../../../cli/ops/airflow/errors';
import { triggerRun } from '../../../../cli/ops/airflow/runs';
import { startFakeServer, type FakeHandler, type FakeServer } from './fake-server';

/**
 * A trigger is a POST: it is sent once. When its answer is lost (a reset, a 5xx), the run is
 * looked up by the id the trigger sent; found with the same logical date, the trigger worked.
 */
const LOGICAL = '2026-03-02T00:00:00+00:00';
const RUN_ID = `manual__${LOGICAL}`;
const RUN_PATH = `/api/v2/dags/d/dagRuns/${encodeURIComponent(RUN_ID)}`;
const RUN = { dag_run_id: RUN_ID, logical_date: '2026-03-02T00:00:00Z', state: 'queued' };

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function client(post: FakeHandler, run: () => { status: number; body?: unknown }) {
  server = await startFakeServer((req) => {
    if (req.url === '/auth/token') return { status: 201, body: { access_token: 'tok' } };
    if (req.url === '/api/v2/dags/d')
      return { status: 200, body: { dag_id: 'd', is_paused: false } };
    if (req.method === 'POST' && req.url === '/api/v2/dags/d/dagRuns') return post(req);
    if (req.method === 'GET' && req.url === RUN_PATH) return run();
    return { status: 404, body: { detail: 'Not Found' } };
  });
  return new AirflowClient({
    url: server.url,
    username: 'a',
    password: 'b',
    sleep: async () => undefined,
  });
}

const posts = () =>
  (server?.requests ?? []).filter((r) => r.method === 'POST' && r.url.endsWith('/dagRuns'));

test('the POST carries its own run id: manual__<logical date>', async () => {
  const c = await client(
    () => ({ status: 200, body: RUN }),
    () => ({ status: 404 }),
  );
  expect((await triggerRun(c, 'd', LOGICAL)).recoveredFrom).toBeUndefined();
  expect(posts().map((r) => JSON.parse(r.body))).toEqual([
    { dag_run_id: RUN_ID, logical_date: LOGICAL, conf: {} },
  ]);
});

test.each([
  ['a reset after sending', (() => 'reset') as FakeHandler, 'ECONNRESET'],
  ['a 502', (() => ({ status: 502, body: 'bad gateway' })) as FakeHandler, 'HTTP 502'],
])('%s: the run exists, so the trigger worked', async (_what, post, why) => {
  const c = await client(post, () => ({ status: 200, body: RUN }));
  const result = await triggerRun(c, 'd', LOGICAL);
  expect([result.run.dag_run_id, result.recoveredFrom]).toEqual([RUN_ID, why]);
  expect(posts()).toHaveLength(1);
});

test('a reset and no run: the original error, the POST sent once', async () => {
  const c = await client(
    () => 'reset',
    () => ({ status: 404, body: { detail: 'nope' } }),
  );
  const err = await triggerRun(c, 'd', LOGICAL).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AirflowUnreachableError);
  expect(posts()).toHaveLength(1);
});

test('a run with that id but another logical date is not ours: the original error', async () => {
  const c = await client(
    () => ({ status: 500, body: 'boom' }),
    () => ({ status: 200, body: { ...RUN, logical_date: '2026-03-03T00:00:00Z' } }),
  );
  const err = (await triggerRun(c, 'd', LOGICAL).catch((e: unknown) => e)) as AirflowApiError;
  expect([err instanceof AirflowApiError, err.status]).toEqual([true, 500]);
});

test('a 409 is not a lost answer: no lookup, the duplicate is reported', async () => {
  const c = await client(
    () => ({ status: 409, body: { detail: 'exists' } }),
    () => ({ status: 200, body: RUN }),
  );
  const err = (await triggerRun(c, 'd', LOGICAL).catch((e: unknown) => e)) as AirflowApiError;
  expect(err.message).toBe(`d already has a run for logical date ${LOGICAL}`);
  expect((server?.requests ?? []).filter((r) => r.url === RUN_PATH)).toEqual([]);
});
