import * as fs from 'node:fs';
import * as path from 'node:path';
import { fetchTaskLog } from '../../../cli/ops/airflow/logs';
import { logicalDateForDay } from '../../../cli/ops/airflow/logical-date';
import { apiPaths } from '../../../cli/ops/airflow/paths';
import { getRun, listTaskInstances, triggerRun, waitForRun } from '../../../cli/ops/airflow/runs';
import type { DagVersionResponse } from '../../../cli/ops/airflow/api-types';
import { commitDagFolder, defaultBundleRepo } from '../../../cli/ops/deploy/bundle-repo';
import { deploy } from '../../../cli/ops/deploy/deploy';
import type { DeployResult } from '../../../cli/ops/deploy/types';
import { compileProject, DEFAULT_DAGS_DIR } from '../../../cli/compiler/project';
import { up } from '../../../cli/ops/stack/up';
import { ROOT, runCli } from '../support/cli';
import {
  DATA_ROOT,
  LOCATION,
  STACK_DIR,
  log,
  requireStackPrerequisites,
  resetStack,
  seconds,
  stackClient,
  stackSettings,
  downLeavingNoDatabase,
} from './support';

/**
 * One run, one version (issue 12): the stack reads its DAGs from the git bundle that deploy
 * commits to, so a spec changed and deployed while a run is in flight does not reach that
 * run. A fixture DAG waits for a file the test writes; while its first run waits, a changed
 * spec (other `rows` and `val-fraction`) is deployed; then the run is let go. Every task of
 * that run must report the first DAG version and bundle commit and must have run with the
 * first values (the step's own summary line in the task log, and the files it wrote); the
 * next run must report and use the second.
 */

const DAG_ID = 'afml_versions';
const DAY1 = '2026-02-02';
const DAY2 = '2026-02-03';
const TASKS = ['generate', 'preprocess', 'split', 'wait_for_go'];
const V1 = { rows: 120, fraction: 0.25 };
const V2 = { rows: 240, fraction: 0.5 };
const BUNDLE = defaultBundleRepo(path.join(ROOT, DEFAULT_DAGS_DIR));
/** The test's DAGs folder: the project's DAGs plus the fixture, committed to the stack's bundle. */
const DAGS = path.join(STACK_DIR, 'versions-dags');
const SPECS = path.join(STACK_DIR, 'versions-specs');

const timings: string[] = [];
let last = Date.now();
function lap(what: string): void {
  timings.push(`${what}: ${seconds(Date.now() - last)}`);
  log(timings[timings.length - 1]);
  last = Date.now();
}

function spec(v: { rows: number; fraction: number }): string {
  return `dag_id: ${DAG_ID}
description: One run, one version (tests/integration/stack/dag-versions.test.ts).
schedule: null
start_date: '2026-01-01'
tasks:
  - id: wait_for_go
    sensor: { path: 'versions/{{ ds }}/go', poke_interval: 2s, timeout: 10m, mode: poke }
  - id: generate
    step: generate
    depends_on: [wait_for_go]
    outputs: { data: 'versions/{{ ds }}/data.csv', target: 'versions/{{ ds }}/target.csv' }
    params: { rows: ${v.rows}, seed: 7 }
  - id: preprocess
    step: preprocess
    depends_on: [generate]
    inputs: { data: 'versions/{{ ds }}/data.csv', target: 'versions/{{ ds }}/target.csv' }
    outputs: { out-dir: 'versions/{{ ds }}/processed' }
  - id: split
    step: split
    depends_on: [preprocess]
    inputs: { in-dir: 'versions/{{ ds }}/processed' }
    outputs: { out-dir: 'versions/{{ ds }}/splits' }
    params: { val-fraction: ${v.fraction}, seed: 7 }
`;
}

/** The project's DAGs plus the fixture with these values, deployed to the stack. */
async function deployFixture(v: { rows: number; fraction: number }): Promise<DeployResult> {
  fs.mkdirSync(SPECS, { recursive: true });
  const file = path.join(SPECS, `${DAG_ID}.yaml`);
  fs.writeFileSync(file, spec(v));
  const fixture = compileProject({ root: ROOT, files: [file] });
  expect(fixture.diagnostics).toEqual([]);
  const project = compileProject({ root: ROOT });
  const settings = stackSettings();
  const { result } = await deploy(stackClient(), {
    compile: () => ({ files: new Map([...project.files, ...fixture.files]) }),
    dagsFolder: DAGS,
    bundleRepo: BUNDLE,
    dataRoot: settings.dataRoot,
    env: settings.env,
    parseTimeoutMs: 120_000,
    report: (e) => log(`[deploy ${e.phase}] ${e.message}`),
  });
  return result as DeployResult;
}

/** The go file the sensor waits for, in folders the step user can write below. */
function release(day: string): void {
  const [uid, gid] = stackSettings().stepUser.split(':').map(Number);
  for (const dir of ['versions', `versions/${day}`]) {
    fs.mkdirSync(path.join(DATA_ROOT, dir), { recursive: true });
    fs.chownSync(path.join(DATA_ROOT, dir), uid, gid);
  }
  fs.writeFileSync(path.join(DATA_ROOT, 'versions', day, 'go'), '');
}

async function dagVersions(): Promise<DagVersionResponse[]> {
  const page = await stackClient().get<{ dag_versions: DagVersionResponse[] }>(
    `${apiPaths.dag(DAG_ID)}/dagVersions`,
    { query: { order_by: ['version_number'] } },
  );
  return page.dag_versions;
}

/** Each task of a run with the version it reports, in task order. */
async function versionsOfTasks(runId: string): Promise<[string, number, string | null][]> {
  const tis = await listTaskInstances(stackClient(), DAG_ID, runId);
  return tis
    .map((t): [string, number, string | null] => [
      t.task_id,
      t.dag_version?.version_number ?? -1,
      t.dag_version?.bundle_version ?? null,
    ])
    .sort(([a], [b]) => a.localeCompare(b));
}

/** The step's summary lines in a task's log (`<step>: ...`, printed by the container). */
async function summaryLines(runId: string, taskId: string): Promise<string[]> {
  const { lines } = await fetchTaskLog(stackClient(), { dagId: DAG_ID, runId, taskId });
  const prefix = ` ${taskId}: `;
  return lines.filter((l) => l.includes(prefix)).map((l) => l.slice(l.indexOf(prefix) + 1));
}

/** What each step must have printed and written for these values on this day. */
function expectedOutput(day: string, v: { rows: number; fraction: number }) {
  const dir = path.join(DATA_ROOT, 'versions', day);
  const targets = fs.readFileSync(path.join(dir, 'target.csv'), 'utf8').trim().split('\n');
  const positives = targets.slice(1).filter((t) => t === '1').length;
  const negatives = targets.length - 1 - positives;
  const nVal = Math.round(positives * v.fraction) + Math.round(negatives * v.fraction);
  const features = (
    JSON.parse(fs.readFileSync(path.join(dir, 'processed', 'transform.json'), 'utf8')) as {
      features: unknown[];
    }
  ).features.length;
  const data = `/data/versions/${day}`;
  return {
    dataLines: fs.readFileSync(path.join(dir, 'data.csv'), 'utf8').trim().split('\n').length,
    generate: `generate: wrote ${v.rows} rows (${positives} positive, ${((100 * positives) / v.rows).toFixed(1)}%) to ${data}/data.csv and ${data}/target.csv`,
    preprocess: `preprocess: ${v.rows} rows -> ${features} features; wrote transform.json and matrix.bin to ${data}/processed`,
    split: `split: ${v.rows} rows -> ${v.rows - nVal} train, ${nVal} validation; wrote train.bin and val.bin to ${data}/splits`,
  };
}

async function expectRanWith(runId: string, day: string, v: { rows: number; fraction: number }) {
  const want = expectedOutput(day, v);
  expect(want.dataLines).toBe(v.rows + 1);
  for (const task of ['generate', 'preprocess', 'split'] as const) {
    expect([task, await summaryLines(runId, task)]).toEqual([task, [want[task]]]);
  }
}

describe('one run, one version (the git DAG bundle)', () => {
  beforeAll(async () => {
    await requireStackPrerequisites();
    await resetStack();
    // Task logs outlive the database: a run of an earlier test run with the same id would
    // append to the same files.
    fs.rmSync(path.join(ROOT, 'airflow', 'logs', `dag_id=${DAG_ID}`), {
      recursive: true,
      force: true,
    });
    last = Date.now();
    await up({ ...LOCATION, report: log });
    lap('up, clean state');
  }, 900_000);

  afterAll(async () => {
    // The stack's bundle back to the project's DAGs folder, as `up` would leave it.
    commitDagFolder(BUNDLE, path.join(ROOT, DEFAULT_DAGS_DIR));
    await downLeavingNoDatabase();
    process.stderr.write(`\ndag-versions timings:\n  ${timings.join('\n  ')}\n`);
  }, 300_000);

  it('a spec deployed during a run does not reach it; the next run uses it', async () => {
    const client = stackClient();
    const first = await deployFixture(V1);
    lap('deploy v1 (commit, parse)');
    expect(first.bundle).toMatchObject({
      repo: BUNDLE,
      changed: true,
      changes: [`A\t${DAG_ID}.py`],
    });
    const c1 = first.bundle?.commit as string;
    expect((await dagVersions()).map((d) => [d.version_number, d.bundle_version])).toEqual([
      [1, c1],
    ]);

    const { run: run1 } = await triggerRun(client, DAG_ID, logicalDateForDay(DAY1));
    for (;;) {
      const sensor = (await listTaskInstances(client, DAG_ID, run1.dag_run_id)).find(
        (t) => t.task_id === 'wait_for_go',
      );
      if (sensor?.state === 'running') break;
      expect(sensor?.state ?? 'none').toMatch(/^(none|scheduled|queued)$/);
      await new Promise((r) => setTimeout(r, 1000));
    }
    lap('run 1 triggered, its sensor running');

    const second = await deployFixture(V2);
    lap('deploy v2 while run 1 waits (commit, parse)');
    expect(second.bundle).toMatchObject({
      repo: BUNDLE,
      changed: true,
      changes: [`M\t${DAG_ID}.py`],
    });
    const c2 = second.bundle?.commit as string;
    expect(c2).not.toBe(c1);
    expect((await dagVersions()).map((d) => [d.version_number, d.bundle_version])).toEqual([
      [1, c1],
      [2, c2],
    ]);
    expect((await getRun(client, DAG_ID, run1.dag_run_id)).state).toBe('running');

    release(DAY1);
    const done1 = await waitForRun(client, DAG_ID, run1.dag_run_id, { timeoutMs: 300_000 });
    lap('run 1 released and finished');
    expect(done1.run.state).toBe('success');

    release(DAY2);
    const { run: run2 } = await triggerRun(client, DAG_ID, logicalDateForDay(DAY2));
    const done2 = await waitForRun(client, DAG_ID, run2.dag_run_id, { timeoutMs: 300_000 });
    lap('run 2 finished');
    expect(done2.run.state).toBe('success');

    // Every task of run 1 reports version 1 (commit c1) and ran its values; run 2, version 2.
    expect(await versionsOfTasks(run1.dag_run_id)).toEqual(TASKS.map((t) => [t, 1, c1]));
    expect(await versionsOfTasks(run2.dag_run_id)).toEqual(TASKS.map((t) => [t, 2, c2]));
    const runs = [await getRun(client, DAG_ID, run1.dag_run_id), done2.run];
    expect(
      runs.map((r) => [r.bundle_version, r.dag_versions?.map((d) => d.version_number)]),
    ).toEqual([
      [c1, [1]],
      [c2, [2]],
    ]);
    await expectRanWith(run1.dag_run_id, DAY1, V1);
    await expectRanWith(run2.dag_run_id, DAY2, V2);

    // `airflow-ml runs` shows which version each run ran.
    const s = stackSettings();
    const cli = runCli(['runs', DAG_ID], {
      AIRFLOW_URL: s.url,
      AIRFLOW_USERNAME: s.username,
      AIRFLOW_PASSWORD: s.password,
    });
    expect([cli.code, cli.stderr]).toEqual([0, '']);
    const table = cli.stdout.trim().split('\n');
    expect(table[0].split(/\s{2,}/)).toEqual([
      'RUN ID',
      'LOGICAL DATE',
      'STATE',
      'VERSION',
      'STARTED',
      'ENDED',
      'TASKS',
    ]);
    expect(table.slice(1).map((l) => l.split(/\s{2,}/).slice(0, 4))).toEqual([
      [run2.dag_run_id, run2.logical_date, 'success', 'v2'],
      [run1.dag_run_id, run1.logical_date, 'success', 'v1'],
    ]);
    lap('checked');
  }, 900_000);
});
