import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import { fetchTaskLog } from '../../../cli/ops/airflow/logs';
import { logicalDateForDay } from '../../../cli/ops/airflow/logical-date';
import { listTaskInstances, triggerRun, waitForRun } from '../../../cli/ops/airflow/runs';
import { commitDagFolder, defaultBundleRepo } from '../../../cli/ops/deploy/bundle-repo';
import { deploy } from '../../../cli/ops/deploy/deploy';
import { compileProject, DEFAULT_DAGS_DIR } from '../../../cli/compiler/project';
import { hasImage } from '../../../cli/ops/stack/engine';
import { BROKER_IMAGE, ensureStepImages } from '../../../cli/ops/stack/images';
import { up } from '../../../cli/ops/stack/up';
import { stackWorkers } from '../../../cli/ops/stack/workers';
import { ROOT, runCli } from '../support/cli';
import {
  DATA_ROOT,
  ENV_FILE,
  LOCATION,
  STACK_DIR,
  downLeavingNoDatabase,
  log,
  requireStackPrerequisites,
  resetStack,
  seconds,
  stackClient,
  stackSettings,
} from './support';

/**
 * The stack's Celery mode (issue 17), as a user starts it: `up --executor celery --workers 1
 * --queues heavy` gives two workers, one for the default queue and one for `heavy`. A fixture
 * DAG whose `preprocess` names `queue: heavy` runs 10 times; every task instance must succeed,
 * and its `hostname` (the REST API's) must be the worker that serves its queue: `generate`
 * on the default worker, `preprocess` on the heavy one and nowhere else. Both ran step
 * containers (their summary lines are in the task logs, their files in the data root).
 */

const DAG_ID = 'afml_celery';
const RUNS = 10;
const DAYS = Array.from({ length: RUNS }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`);
const BUNDLE = defaultBundleRepo(path.join(ROOT, DEFAULT_DAGS_DIR));
const DAGS = path.join(STACK_DIR, 'celery-dags');
const SPEC = path.join(STACK_DIR, 'celery-specs', `${DAG_ID}.yaml`);

const timings: string[] = [];
let last = Date.now();
function lap(what: string): void {
  timings.push(`${what}: ${seconds(Date.now() - last)}`);
  log(timings[timings.length - 1]);
  last = Date.now();
}

const FIXTURE = `dag_id: ${DAG_ID}
description: Celery workers and queues (tests/integration/stack/celery.test.ts).
schedule: null
start_date: '2026-01-01'
max_active_runs: ${RUNS}
tasks:
  - id: generate
    step: generate
    outputs: { data: 'celery/{{ ds }}/data.csv', target: 'celery/{{ ds }}/target.csv' }
    params: { rows: 200, seed: 3 }
  - id: preprocess
    step: preprocess
    depends_on: [generate]
    queue: heavy
    inputs: { data: 'celery/{{ ds }}/data.csv', target: 'celery/{{ ds }}/target.csv' }
    outputs: { out-dir: 'celery/{{ ds }}/processed' }
`;

/** The step's summary lines in a task's log (`<step>: ...`, printed by the container). */
async function summaryLines(runId: string, taskId: string): Promise<string[]> {
  const { lines } = await fetchTaskLog(stackClient(), { dagId: DAG_ID, runId, taskId });
  const prefix = ` ${taskId}: `;
  return lines.filter((l) => l.includes(prefix)).map((l) => l.slice(l.indexOf(prefix) + 1));
}

describe('Celery mode: two workers, a named queue', () => {
  beforeAll(async () => {
    const docker = new Docker();
    const broker =
      (await hasImage(docker, BROKER_IMAGE.official)) ||
      (await hasImage(docker, BROKER_IMAGE.local));
    await requireStackPrerequisites(
      broker
        ? []
        : [
            `the broker image (${BROKER_IMAGE.official} or ${BROKER_IMAGE.local}): run bash scripts/build-stack-images.sh redis (scripts/setup.sh does)`,
          ],
    );
    await resetStack();
    fs.rmSync(path.join(ROOT, 'airflow', 'logs', `dag_id=${DAG_ID}`), {
      recursive: true,
      force: true,
    });
    last = Date.now();
    // The project's DAGs are not deployed: their first runs would compete with the fixture.
    await up({
      ...LOCATION,
      skipDeploy: true,
      executor: { executor: 'celery', workers: '1', queues: 'heavy' },
      report: log,
    });
    lap('up --executor celery --workers 1 --queues heavy, clean state');
  }, 900_000);

  afterAll(async () => {
    commitDagFolder(BUNDLE, path.join(ROOT, DEFAULT_DAGS_DIR));
    await downLeavingNoDatabase();
    process.stderr.write(`\ncelery timings:\n  ${timings.join('\n  ')}\n`);
  }, 300_000);

  it('records the choice in the env file and lists each worker in status', async () => {
    const env = fs.readFileSync(ENV_FILE, 'utf8');
    expect(env).toContain(
      'AIRFLOW_ML_EXECUTOR=celery\nAIRFLOW_ML_WORKERS=1\nAIRFLOW_ML_WORKER_QUEUES=heavy\n',
    );
    const workers = await stackWorkers();
    expect(workers.map((w) => [w.name, w.queues, w.status, w.health])).toEqual([
      ['airflow-ml_airflow-worker_1', ['default'], 'running', 'healthy'],
      ['airflow-ml_airflow-queue-worker_1', ['heavy'], 'running', 'healthy'],
    ]);
    expect(new Set(workers.map((w) => w.hostname)).size).toBe(2);
    const s = stackSettings();
    const status = runCli(['status', '--json'], {
      AIRFLOW_URL: s.url,
      AIRFLOW_USERNAME: s.username,
      AIRFLOW_PASSWORD: s.password,
      AIRFLOW_ML_MAIL_PORT: String(s.mailPort),
    });
    expect([status.code, status.stderr]).toEqual([0, '']);
    expect(JSON.parse(status.stdout).workers).toEqual(
      workers.map((w) => ({
        name: w.name,
        hostname: w.hostname,
        queues: w.queues,
        status: 'running',
        health: 'healthy',
      })),
    );
  });

  it(`runs ${RUNS} DAG runs; each task instance ran on the worker of its queue`, async () => {
    const client = stackClient();
    const settings = stackSettings();
    fs.mkdirSync(path.dirname(SPEC), { recursive: true });
    fs.writeFileSync(SPEC, FIXTURE);
    const fixture = compileProject({ root: ROOT, files: [SPEC] });
    expect(fixture.diagnostics).toEqual([]);
    // The step images the fixture names, as the tree is now (up built them a minute ago).
    await ensureStepImages({
      docker: new Docker(),
      root: ROOT,
      envFile: ENV_FILE,
      env: settings.env,
      report: log,
    });
    await deploy(client, {
      compile: () => ({ files: fixture.files }),
      dagsFolder: DAGS,
      bundleRepo: BUNDLE,
      dataRoot: settings.dataRoot,
      env: settings.env,
      parseTimeoutMs: 120_000,
      report: (e) => log(`[deploy ${e.phase}] ${e.message}`),
    });
    lap('deploy the fixture');

    const runIds: string[] = [];
    for (const day of DAYS) {
      runIds.push((await triggerRun(client, DAG_ID, logicalDateForDay(day))).run.dag_run_id);
    }
    for (const runId of runIds) {
      const done = await waitForRun(client, DAG_ID, runId, { timeoutMs: 600_000 });
      expect([runId, done.run.state]).toEqual([runId, 'success']);
    }
    lap(`${RUNS} runs, triggered together, all finished`);

    const workers = await stackWorkers();
    const byQueue = Object.fromEntries(workers.map((w) => [w.queues.join(','), w.hostname]));
    const ran: [string, string, string, string | null, string | null][] = [];
    for (const runId of runIds) {
      for (const ti of await listTaskInstances(client, DAG_ID, runId)) {
        ran.push([runId, ti.task_id, ti.state ?? 'none', ti.queue ?? null, ti.hostname ?? null]);
      }
    }
    ran.sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
    const want = runIds
      .flatMap((runId) => [
        [runId, 'generate', 'success', 'default', byQueue.default],
        [runId, 'preprocess', 'success', 'heavy', byQueue.heavy],
      ])
      .sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
    expect(ran).toEqual(want);
    log(
      `default worker ${byQueue.default}: ${RUNS} generate; heavy worker ${byQueue.heavy}: ${RUNS} preprocess`,
    );

    // Each worker ran its step containers: the steps' own summary lines, and their files.
    const day = DAYS[0];
    const dir = path.join(DATA_ROOT, 'celery', day);
    const data = `/data/celery/${day}`;
    const targets = fs.readFileSync(path.join(dir, 'target.csv'), 'utf8').trim().split('\n');
    const positives = targets.slice(1).filter((t) => t === '1').length;
    const transform = fs.readFileSync(path.join(dir, 'processed', 'transform.json'), 'utf8');
    const features = (JSON.parse(transform) as { features: unknown[] }).features.length;
    expect(await summaryLines(runIds[0], 'generate')).toEqual([
      `generate: wrote 200 rows (${positives} positive, ${(positives / 2).toFixed(1)}%) to ${data}/data.csv and ${data}/target.csv`,
    ]);
    expect(await summaryLines(runIds[0], 'preprocess')).toEqual([
      `preprocess: 200 rows -> ${features} features; wrote transform.json and matrix.bin to ${data}/processed`,
    ]);
    const written = DAYS.filter((d) =>
      fs.existsSync(path.join(DATA_ROOT, 'celery', d, 'processed', 'matrix.bin')),
    );
    expect(written).toEqual(DAYS);
  }, 900_000);

  it('back to the local executor: up removes the workers compose would leave running', async () => {
    // The workers are services of a profile the local layout does not name, so compose
    // would not count them as orphans; up removes them (the broker is an orphan of the
    // overlay, which compose removes itself).
    const lines: string[] = [];
    await up({
      ...LOCATION,
      skipDeploy: true,
      executor: { executor: 'local' },
      report: (l) => {
        lines.push(l);
        log(l);
      },
    });
    lap('up --executor local, after Celery mode');
    expect(lines.filter((l) => l.startsWith('removing the Celery workers'))).toEqual([
      'removing the Celery workers this choice has no use for: airflow-ml_airflow-queue-worker_1, airflow-ml_airflow-worker_1',
    ]);
    expect(await stackWorkers()).toEqual([]);
    const docker = new Docker();
    const left = await docker.listContainers({
      all: true,
      filters: { label: ['com.docker.compose.project=airflow-ml'] },
    });
    const services = left.map((c) => c.Labels['com.docker.compose.service']);
    expect(services.filter((n) => /worker|redis/.test(n))).toEqual([]);
    expect(fs.readFileSync(ENV_FILE, 'utf8')).toContain('AIRFLOW_ML_EXECUTOR=local\n');
  }, 900_000);
});
