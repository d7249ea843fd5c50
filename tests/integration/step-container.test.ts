import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { createHash } from 'node:crypto';
import {
  STEP_CONTAINER_HASH_LENGTH,
  STEP_CONTAINER_PREFIX,
  STACK_LABEL,
  STEP_LABEL,
  STEP_PIDS_LIMIT,
} from '../../cli/compiler/emit/step-operator';
import { makeDataRoot } from './support/data-root';
import { NODE_BASE, ROOT, runCli } from './support/cli';

/**
 * The step container as the Docker Engine runs it (issue 10): a generated DAG run by real
 * Airflow 3.3 (`airflow dags test`) starts a real step container, which is inspected while it
 * runs for every least-privilege setting; then a `docker stop` of a running step ends it at
 * once (no grace period to wait out) and the next try sweeps what the killed one left.
 */
const AIRFLOW = path.join(ROOT, '.venv-airflow', 'bin', 'airflow');
const docker = new Docker();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-lp-'));
const dags = path.join(work, 'dags');
const { dir: dataRoot, stepUser } = makeDataRoot();
const env = {
  ...process.env,
  AIRFLOW_HOME: path.join(work, 'home'),
  AIRFLOW__CORE__DAGS_FOLDER: dags,
  AIRFLOW__CORE__LOAD_EXAMPLES: 'false',
  AIRFLOW_ML_DATA_ROOT: dataRoot,
  AIRFLOW_ML_STEP_USER: stepUser,
};

/** Starts `airflow dags test` and resolves with the first generate container seen running. */
async function startRun(date: string): Promise<{
  container: Docker.Container;
  done: Promise<{ code: number | null; log: string }>;
}> {
  const child = spawn(AIRFLOW, ['dags', 'test', 'least_privilege', date], { env });
  let log = '';
  child.stdout.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr.on('data', (c: Buffer) => (log += c.toString()));
  const done = new Promise<{ code: number | null; log: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, log })),
  );
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const running = await docker.listContainers({
      filters: { ancestor: [stepImage()], status: ['running'] },
    });
    if (running.length > 0) return { container: docker.getContainer(running[0].Id), done };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`no generate container started within 120 s:\n${log}`);
}

/** The name the generated DockerOperator gives a try's container (no stack id here). */
function stepContainerName(runId: string, tryNumber: number): string {
  const key = ['', 'least_privilege', runId, 'generate', '-1'].join('\0');
  const digest = createHash('sha256').update(key).digest('hex');
  return `${STEP_CONTAINER_PREFIX}${digest.slice(0, STEP_CONTAINER_HASH_LENGTH)}-t${tryNumber}`;
}

/** The run id of the first test's run, as its container's label gave it. */
let firstRunId = '';

function stepImage(): string {
  const source = fs.readFileSync(path.join(dags, 'least_privilege.py'), 'utf8');
  return (/image="(airflow-ml-generate:[0-9a-f]+)"/.exec(source) as RegExpExecArray)[1];
}

beforeAll(() => {
  const compiled = runCli([
    'compile',
    '--specs',
    path.join(ROOT, 'tests/integration/fixtures/least-privilege'),
    '--out',
    dags,
  ]);
  expect(compiled.code).toBe(0);
  const built = runCli(['images', 'build', '--base-image', NODE_BASE]);
  if (built.code !== 0) throw new Error(`images build failed:\n${built.stdout}\n${built.stderr}`);
  const migrate = spawnSync(AIRFLOW, ['db', 'migrate'], {
    env,
    encoding: 'utf8',
    timeout: 300_000,
  });
  expect(migrate.status).toBe(0);
}, 600_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('a running step container has every least-privilege setting', async () => {
  const { container, done } = await startRun('2026-01-02');
  const info = await container.inspect();
  const labels = info.Config.Labels;
  const runId = labels['airflow-ml.run_id'];
  firstRunId = runId;
  // Named after the task instance and labelled with it and the try (the image's own labels
  // say which step and base it is): a later try finds and removes it by that name, the
  // stack's reaper by the labels.
  const taskLabels = Object.fromEntries(
    Object.entries(labels).filter(([k]) => !['airflow-ml.base', 'airflow-ml.image'].includes(k)),
  );
  expect({ name: info.Name, labels: taskLabels, runIdForm: /^manual__\d{4}-/.test(runId) }).toEqual(
    {
      name: `/${stepContainerName(runId, 1)}`,
      labels: {
        [STEP_LABEL]: 'true',
        [STACK_LABEL]: '',
        'airflow-ml.dag_id': 'least_privilege',
        'airflow-ml.run_id': runId,
        'airflow-ml.task_id': 'generate',
        'airflow-ml.map_index': '-1',
        'airflow-ml.try_number': '1',
      },
      runIdForm: true,
    },
  );
  const host = info.HostConfig;
  expect({
    CapDrop: host.CapDrop,
    CapAdd: host.CapAdd ?? null,
    SecurityOpt: host.SecurityOpt,
    PidsLimit: host.PidsLimit,
    Memory: host.Memory,
    MemorySwap: host.MemorySwap,
    NanoCpus: host.NanoCpus,
    CpuShares: host.CpuShares,
    Init: host.Init,
    ReadonlyRootfs: host.ReadonlyRootfs,
    Tmpfs: host.Tmpfs,
    Privileged: host.Privileged,
    NetworkMode: host.NetworkMode,
    User: info.Config.User,
    Mounts: info.Mounts.map((m) => [m.Type, m.Source, m.Destination, m.RW]),
  }).toEqual({
    CapDrop: ['ALL'],
    CapAdd: null,
    SecurityOpt: ['no-new-privileges'],
    PidsLimit: STEP_PIDS_LIMIT,
    Memory: 512 * 1024 * 1024,
    MemorySwap: 512 * 1024 * 1024,
    NanoCpus: 500_000_000,
    CpuShares: 512,
    Init: true,
    ReadonlyRootfs: true,
    Tmpfs: { '/tmp': 'rw,noexec,nosuid,nodev,size=64m' },
    Privileged: false,
    NetworkMode: 'none',
    User: stepUser,
    Mounts: [['bind', dataRoot, '/data', true]],
  });
  // PID 1 is docker-init (tini), so the step is not PID 1 and gets signals' default actions.
  const top = await container.top({ ps_args: '-o pid,comm' });
  expect((top.Processes as string[][]).map((p) => p[1]).slice(0, 2)).toEqual([
    'docker-init',
    'node',
  ]);
  const { code, log } = await done;
  expect({ code, success: /DagRun Finished: .*state=success/.test(log) }).toEqual({
    code: 0,
    success: true,
  });
  expect(
    fs.readFileSync(path.join(dataRoot, 'lp/2026-01-02/target.csv'), 'utf8').split('\n')[0],
  ).toBe('target');
}, 300_000);

test('docker stop ends a running step at once, and the next try sweeps its temp files', async () => {
  const { container, done } = await startRun('2026-01-03');
  // Let it write part of its output under temp names first.
  const folder = path.join(dataRoot, 'lp/2026-01-03');
  const deadline = Date.now() + 60_000;
  while (!(
    fs.existsSync(folder) && fs.readdirSync(folder).some((f) => f.startsWith('.data.csv.tmp-'))
  )) {
    if (Date.now() > deadline) throw new Error('the step wrote no temp file within 60 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  const started = Date.now();
  await container.stop({ t: 10 });
  const stopSeconds = (Date.now() - started) / 1000;
  const { code, log } = await done;
  const state = (await container.inspect().catch(() => undefined))?.State;
  const leftovers = fs.readdirSync(folder).filter((f) => f.includes('.tmp-'));
  // SIGTERM ends it at once, not the SIGKILL that follows a 10 s grace period; the task fails.
  const seen = { failed: code !== 0, fast: stopSeconds < 3, leftTemps: leftovers.length > 0 };
  if (!seen.failed || !seen.fast || !seen.leftTemps) {
    console.log(
      `stop took ${stopSeconds} s, exit ${code}, state ${JSON.stringify(state)}, left ${leftovers}\n${log.slice(-3000)}`,
    );
  }
  expect(seen).toEqual({ failed: true, fast: true, leftTemps: true });

  const again = await startRun('2026-01-03');
  const result = await again.done;
  expect(result.code).toBe(0);
  expect(fs.readdirSync(folder).sort()).toEqual(['data.csv', 'target.csv']);
}, 300_000);

test('a try first removes the container an earlier try of its task instance left, running or not', async () => {
  const name = stepContainerName(firstRunId, 1);
  // What a try that died with its scheduler leaves: its container, still running.
  const leftover = await docker.createContainer({
    name,
    Image: stepImage(),
    // The step image's entrypoint is the step; this one only waits, running.
    Entrypoint: ['node'],
    Cmd: ['-e', 'setTimeout(() => {}, 600000)'],
    User: stepUser,
    HostConfig: { NetworkMode: 'none' },
  });
  await leftover.start();
  expect((await leftover.inspect()).State.Status).toBe('running');
  // The same task instance again (the first test's run), as a later try runs it.
  const again = spawnSync(AIRFLOW, ['tasks', 'test', 'least_privilege', 'generate', firstRunId], {
    env,
    encoding: 'utf8',
    timeout: 240_000,
  });
  const code = again.status;
  const log = `${again.stdout}${again.stderr}`;
  const gone = await leftover.inspect().then(
    () => false,
    (e: { statusCode?: number }) => e.statusCode === 404,
  );
  expect({
    code,
    removedLine: log.includes(`Removed container ${name}, left by an earlier try`),
    gone,
  }).toEqual({ code: 0, removedLine: true, gone: true });
}, 300_000);
