import { AirflowClient } from '../../../../cli/ops/airflow/client';
import { listDags } from '../../../../cli/ops/airflow/dags';
import { listRecentRuns } from '../../../../cli/ops/airflow/runs';
import {
  startFakeServer,
  type FakeHandler,
  type FakeRequest,
  type FakeServer,
} from './fake-server';

/**
 * Listing follows the server's pages past its silent cap (at most 100 items a page, whatever
 * `limit` asks), and `runs` reads every run's task instances in one batched POST.
 */
let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(api: FakeHandler) {
  server = await startFakeServer((req) =>
    req.url === '/auth/token' ? { status: 201, body: { access_token: 't' } } : api(req),
  );
  const client = new AirflowClient({ url: server.url, username: 'a', password: 'p' });
  return { client, calls: () => server!.requests.filter((r) => r.url !== '/auth/token') };
}

const CAP = 100;
const dags = Array.from({ length: 250 }, (_, i) => ({ dag_id: `d${String(i).padStart(3, '0')}` }));

function query(req: FakeRequest): URLSearchParams {
  return new URL(req.url, 'http://x').searchParams;
}

/** A server that caps every page at CAP items, as Airflow's maximum_page_limit does. */
function capped<T>(items: T[], key: string, req: FakeRequest) {
  const q = query(req);
  const offset = Number(q.get('offset') ?? 0);
  const limit = Math.min(Number(q.get('limit') ?? CAP), CAP);
  return {
    status: 200,
    body: { [key]: items.slice(offset, offset + limit), total_entries: items.length },
  };
}

test('listDags reads 250 DAGs in three pages of at most 100', async () => {
  const { client, calls } = await setup((req) => capped(dags, 'dags', req));
  const got = await listDags(client);
  expect(got.map((d) => d.dag_id)).toEqual(dags.map((d) => d.dag_id));
  expect(calls().map((r) => `${r.method} ${r.url}`)).toEqual([
    'GET /api/v2/dags?limit=100&offset=0',
    'GET /api/v2/dags?limit=100&offset=100',
    'GET /api/v2/dags?limit=100&offset=200',
  ]);
});

test('a server capping pages below 100 is followed by what each page held', async () => {
  const { client, calls } = await setup((req) => {
    const q = query(req);
    const offset = Number(q.get('offset'));
    const first100 = dags.slice(0, 100);
    return { status: 200, body: { dags: first100.slice(offset, offset + 40), total_entries: 100 } };
  });
  const got = await listDags(client);
  expect(got.map((d) => d.dag_id)).toEqual(dags.slice(0, 100).map((d) => d.dag_id));
  expect(calls().map((r) => query(r).get('offset'))).toEqual(['0', '40', '80']);
});

test('runs: 150 runs in two pages, then their task instances in one batched POST', async () => {
  const runs = Array.from({ length: 150 }, (_, i) => ({
    dag_run_id: `r${i}`,
    dag_id: 'train',
    state: 'success',
  }));
  const tis = runs.flatMap((r) =>
    ['a', 'b'].map((task_id) => ({ task_id, dag_run_id: r.dag_run_id, state: 'success' })),
  );
  const { client, calls } = await setup((req) => {
    if (req.url === '/api/v2/dags/train') return { status: 200, body: { dag_id: 'train' } };
    if (req.url.startsWith('/api/v2/dags/train/dagRuns?')) return capped(runs, 'dag_runs', req);
    if (req.url === '/api/v2/dags/~/dagRuns/~/taskInstances/list') {
      const body = JSON.parse(req.body) as { page_offset: number; page_limit: number };
      const limit = Math.min(body.page_limit, CAP);
      return {
        status: 200,
        body: {
          task_instances: tis.slice(body.page_offset, body.page_offset + limit),
          total_entries: tis.length,
        },
      };
    }
    return { status: 404, body: { detail: `unexpected ${req.url}` } };
  });
  const got = await listRecentRuns(client, 'train', 150);
  expect(got).toHaveLength(150);
  expect(got[149]).toEqual({
    run: runs[149],
    tasks: [
      { task_id: 'a', dag_run_id: 'r149', state: 'success' },
      { task_id: 'b', dag_run_id: 'r149', state: 'success' },
    ],
  });
  expect(calls().map((r) => `${r.method} ${r.url}`)).toEqual([
    'GET /api/v2/dags/train',
    'GET /api/v2/dags/train/dagRuns?order_by=-run_after&limit=100&offset=0',
    'GET /api/v2/dags/train/dagRuns?order_by=-run_after&limit=50&offset=100',
    'POST /api/v2/dags/~/dagRuns/~/taskInstances/list',
    'POST /api/v2/dags/~/dagRuns/~/taskInstances/list',
    'POST /api/v2/dags/~/dagRuns/~/taskInstances/list',
  ]);
  const bodies = calls()
    .filter((r) => r.method === 'POST')
    .map((r) => JSON.parse(r.body) as Record<string, unknown>);
  expect(bodies[0]).toEqual({
    dag_ids: ['train'],
    dag_run_ids: runs.map((r) => r.dag_run_id),
    page_offset: 0,
    page_limit: 100,
  });
  expect(bodies.map((b) => b.page_offset)).toEqual([0, 100, 200]);
});

test('runs of a DAG without runs makes no task-instance call', async () => {
  const { client, calls } = await setup((req) =>
    req.url === '/api/v2/dags/train'
      ? { status: 200, body: { dag_id: 'train' } }
      : { status: 200, body: { dag_runs: [], total_entries: 0 } },
  );
  expect(await listRecentRuns(client, 'train')).toEqual([]);
  expect(calls().map((r) => `${r.method} ${r.url}`)).toEqual([
    'GET /api/v2/dags/train',
    'GET /api/v2/dags/train/dagRuns?order_by=-run_after&limit=10&offset=0',
  ]);
});
