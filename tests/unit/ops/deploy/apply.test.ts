import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AirflowClient } from '../../../../cli/ops/airflow/client';
import { applyDeploy } from '../../../../cli/ops/deploy/apply';
import type { DeployEvent, DeployPlan } from '../../../../cli/ops/deploy/types';
import { startFakeServer, type FakeRequest, type FakeServer } from '../airflow/fake-server';

/**
 * applyDeploy against a scripted Airflow: the order of its calls (variables and connections
 * before any file, files before the parse wait, unpause last), what it sends, and its result.
 */
let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const DAG = (is_paused: boolean, last_parsed_time: string) => ({
  dag_id: 'd',
  is_paused,
  is_stale: false,
  file_token: 'tok',
  bundle_version: null,
  last_parsed_time,
});

function plan(folder: string, over: Partial<DeployPlan> = {}): DeployPlan {
  return {
    dagsFolder: folder,
    files: [{ name: 'd.py', dagId: 'd', action: 'create', content: '# d\n' }],
    conflicts: [],
    dagIds: ['d'],
    variables: [
      { key: 'PROD_DIR', value: 'models/production', onExistence: 'skip' },
      { key: 'X', value: '1', onExistence: 'overwrite' },
    ],
    connections: [{ connection_id: 'fs_default', conn_type: 'fs', extra: '{"path": "/data"}' }],
    notes: ['a note'],
    unpause: true,
    firstRunsFor: [],
    ...over,
  };
}

/** A new DAG appears paused at the second listing (the first is read before the wait). */
async function airflow(onRequest: (r: FakeRequest) => void = () => undefined) {
  let listings = 0;
  server = await startFakeServer((req) => {
    onRequest(req);
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/auth/token') return { status: 201, body: { access_token: 't' } };
    if (req.method === 'PATCH' && url.pathname === '/api/v2/variables') {
      const entities = (
        JSON.parse(req.body) as { actions: { entities: { key: string }[] }[] }
      ).actions[0].entities.map((e) => e.key);
      // PROD_DIR exists already: with "skip" Airflow reports no success for it.
      const success = entities.filter((k) => k !== 'PROD_DIR');
      return { status: 200, body: { create: { success, errors: [] } } };
    }
    if (req.method === 'PATCH' && url.pathname === '/api/v2/connections') {
      return { status: 200, body: { create: { success: ['fs_default'], errors: [] } } };
    }
    if (url.pathname === '/api/v2/dags') {
      const dags = listings++ === 0 ? [] : [DAG(true, '2026-01-01T00:00:01Z')];
      return { status: 200, body: { dags, total_entries: dags.length } };
    }
    if (url.pathname === '/api/v2/importErrors') {
      return { status: 200, body: { import_errors: [], total_entries: 0 } };
    }
    if (req.method === 'PATCH' && url.pathname === '/api/v2/dags/d') {
      return { status: 200, body: DAG(false, '2026-01-01T00:00:01Z') };
    }
    return { status: 404, body: { detail: `unexpected ${req.method} ${req.url}` } };
  });
  return new AirflowClient({ url: server.url, username: 'u', password: 'p' });
}

test('variables, connections, files, parse wait, unpause: in that order, with the exact result', async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-apply-'));
  const seen: string[] = [];
  const client = await airflow((r) => {
    if (r.url === '/auth/token') return;
    // When the first DAG listing arrives, the file must already be in place.
    const file = fs.existsSync(path.join(folder, 'd.py')) ? 'file' : 'no file';
    seen.push(`${r.method} ${r.url.split('?')[0]} (${file})`);
  });
  const events: DeployEvent[] = [];
  const result = await applyDeploy(client, plan(folder), {
    pollMs: 1,
    report: (e) => events.push(e),
  });
  expect(seen).toEqual([
    'PATCH /api/v2/variables (no file)',
    'PATCH /api/v2/variables (no file)',
    'PATCH /api/v2/connections (no file)',
    'GET /api/v2/dags (file)',
    'GET /api/v2/importErrors (file)',
    'GET /api/v2/dags (file)',
    'GET /api/v2/importErrors (file)',
    'PATCH /api/v2/dags/d (file)',
  ]);
  expect(fs.readFileSync(path.join(folder, 'd.py'), 'utf8')).toBe('# d\n');
  expect(result).toEqual({
    written: ['d.py'],
    unchanged: [],
    variablesWritten: ['X'],
    variablesKept: ['PROD_DIR'],
    connections: ['fs_default'],
    parsed: ['d'],
    unpaused: ['d'],
    alreadyUnpaused: [],
    firstRuns: [],
  });
  expect(events).toEqual([
    { phase: 'variables', message: 'set X; kept existing PROD_DIR' },
    { phase: 'connections', message: 'upserted fs_default' },
    { phase: 'connections', message: 'a note' },
    { phase: 'copy', message: `1 written (d.py), 0 unchanged, into ${folder}` },
    { phase: 'parse', message: 'Airflow has parsed d, no import errors' },
    { phase: 'unpause', message: 'unpaused d' },
  ]);
});

test('a conflict stops it before any request: nothing in Airflow or on disk changes', async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-apply-'));
  const client = await airflow();
  const conflicts = [{ name: 'd.py', reason: 'not generated by airflow-ml' }];
  await expect(applyDeploy(client, plan(folder, { conflicts }))).rejects.toThrow(
    `nothing was written: 1 file(s) in ${folder} are in the way:\n  d.py: not generated by airflow-ml`,
  );
  expect(server!.requests).toEqual([]);
  expect(fs.readdirSync(folder)).toEqual([]);
});
