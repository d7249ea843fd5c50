import { AirflowClient } from '../../../../cli/ops/airflow/client';
import type { PlannedFile } from '../../../../cli/ops/deploy/types';
import { waitForParsedDags } from '../../../../cli/ops/deploy/wait-parsed';
import { startFakeServer, type FakeRequest, type FakeServer } from '../airflow/fake-server';

/**
 * When is a deployed file "parsed"? Against a scripted Airflow: on a versioned bundle (the
 * stack's git bundle) only once the DAG's newest version is at deploy's commit, whatever the
 * parse timestamps say; on a plain DAGs folder (no bundle_version) when last_parsed_time moves.
 */
let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface DagState {
  bundle_version: string | null;
  last_parsed_time: string;
  latest_version_commit?: string;
}

/** Airflow answering the n-th DAG listing with states[n] (the last one after that). */
async function airflow(states: DagState[]) {
  let listings = 0;
  let current = states[0];
  server = await startFakeServer((req: FakeRequest) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/auth/token') return { status: 201, body: { access_token: 't' } };
    if (url.pathname === '/api/v2/dags') {
      current = states[Math.min(listings++, states.length - 1)];
      const dag = {
        dag_id: 'd',
        is_paused: false,
        is_stale: false,
        file_token: 'tok',
        bundle_version: current.bundle_version,
        last_parsed_time: current.last_parsed_time,
      };
      return { status: 200, body: { dags: [dag], total_entries: 1 } };
    }
    if (url.pathname === '/api/v2/importErrors')
      return { status: 200, body: { import_errors: [], total_entries: 0 } };
    if (url.pathname === '/api/v2/parseDagFile/tok') return { status: 201, body: null };
    if (url.pathname === '/api/v2/dags/d/dagVersions') {
      const versions = [{ version_number: 1, bundle_version: current.latest_version_commit }];
      return { status: 200, body: { dag_versions: versions, total_entries: 1 } };
    }
    return { status: 404, body: { detail: `no route ${req.method} ${req.url}` } };
  });
  const client = new AirflowClient({ url: server.url, username: 'a', password: 'p' });
  const calls = () =>
    server!.requests
      .filter((r) => r.url !== '/auth/token')
      .map((r) => `${r.method} ${new URL(r.url, 'http://x').pathname}`);
  return { client, calls };
}

const CHANGED: PlannedFile[] = [{ name: 'd.py', dagId: 'd', action: 'update', content: '' }];
const noSleep = { sleep: () => Promise.resolve(), timeoutMs: 60_000 };

test('a versioned bundle: a parse of the old commit, then a skipped write, are not enough', async () => {
  const { client, calls } = await airflow([
    { bundle_version: 'c1', last_parsed_time: 't0', latest_version_commit: 'c1' }, // before
    { bundle_version: 'c1', last_parsed_time: 't1', latest_version_commit: 'c1' }, // old parse
    { bundle_version: 'c2', last_parsed_time: 't2', latest_version_commit: 'c1' }, // not stored
    { bundle_version: 'c2', last_parsed_time: 't3', latest_version_commit: 'c2' },
  ]);
  await waitForParsedDags(client, CHANGED, { ...noSleep, bundleVersion: 'c2' });
  expect(calls()).toEqual([
    'GET /api/v2/dags',
    'GET /api/v2/importErrors',
    'PUT /api/v2/parseDagFile/tok',
    'GET /api/v2/dags',
    'GET /api/v2/importErrors',
    'GET /api/v2/dags',
    'GET /api/v2/importErrors',
    'GET /api/v2/dags/d/dagVersions',
    'GET /api/v2/dags',
    'GET /api/v2/importErrors',
    'GET /api/v2/dags/d/dagVersions',
  ]);
});

test('a plain DAGs folder (no bundle_version): a moved last_parsed_time is enough', async () => {
  const { client, calls } = await airflow([
    { bundle_version: null, last_parsed_time: 't0' },
    { bundle_version: null, last_parsed_time: 't1' },
  ]);
  await waitForParsedDags(client, CHANGED, { ...noSleep, bundleVersion: 'c2' });
  expect(calls()).toEqual([
    'GET /api/v2/dags',
    'GET /api/v2/importErrors',
    'PUT /api/v2/parseDagFile/tok',
    'GET /api/v2/dags',
    'GET /api/v2/importErrors',
  ]);
});

test('a versioned bundle that never reaches the commit runs out of time, naming the DAG', async () => {
  const { client } = await airflow([
    { bundle_version: 'c1', last_parsed_time: 't0', latest_version_commit: 'c1' },
    { bundle_version: 'c1', last_parsed_time: 't1', latest_version_commit: 'c1' },
  ]);
  await expect(
    waitForParsedDags(client, CHANGED, { timeoutMs: 300, pollMs: 50, bundleVersion: 'c2' }),
  ).rejects.toThrow('Airflow had not parsed d after 0.3 s');
});
