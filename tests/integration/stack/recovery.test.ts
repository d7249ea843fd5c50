import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import Docker from 'dockerode';
import { listTaskInstances, getRun } from '../../../cli/ops/airflow/runs';
import { triggerDag } from '../../../cli/ops/airflow/trigger';
import {
  STACK_LABEL,
  STEP_CONTAINER_PREFIX,
  STEP_LABEL,
} from '../../../cli/compiler/emit/step-operator';
import { STACK_PROJECT_NAME } from '../../../cli/ops/stack/settings';
import { stoppedStackServices } from '../../../cli/ops/stack/stopped';
import { up } from '../../../cli/ops/stack/up';
import { ROOT, runCli } from '../support/cli';
import { containerOf, execIn } from './security';
import {
  ENV_FILE,
  LOCATION,
  resetStack,
  log,
  requireStackPrerequisites,
  seconds,
  stackClient,
  stackSettings,
  downLeavingNoDatabase,
} from './support';

/**
 * Recovery of the compose stack from crashes (issue 12), on the shipped generate_data DAG
 * (retries: 1):
 *  - the scheduler process killed during a step: the task is reset within seconds, its try
 *    refunded, the next try removes the frozen container, and the run succeeds within 60 s;
 *  - the Docker daemon restarted during a step: every service comes back, the run succeeds,
 *    and the task's one retry is still unspent;
 *  - a `docker kill`ed scheduler (Docker does not restart it): `status` names it and the
 *    command that fixes it, and `up` does;
 *  - the step reaper removes a step container that no task instance runs any more.
 * A step is frozen (`docker pause`) at the moment of the fault, so the fault always lands
 * during the step however fast the machine is.
 */

const docker = new Docker();
const DAG = 'generate_data';
const timings: string[] = [];

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Wait until the DAG has no queued or running run. */
async function waitUntilIdle(dagId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await stackClient().get<{ dag_runs: { dag_run_id: string }[] }>(
      `/api/v2/dags/${dagId}/dagRuns`,
      { query: { state: ['queued', 'running'], limit: 100 } },
    );
    if (page.dag_runs.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${dagId} still has active runs after ${timeoutMs / 1000} s: ${page.dag_runs.map((r) => r.dag_run_id).join(', ')}`,
      );
    }
    await sleep(2000);
  }
}

/** Containers of one run's steps (any state), by the labels the generated operator sets. */
async function stepContainers(runId: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({
    all: true,
    filters: { label: [`${STEP_LABEL}=true`, `airflow-ml.run_id=${runId}`] },
  });
}

/** Trigger a run and freeze its step container as soon as it runs; returns the run id. */
async function triggerAndFreeze(logicalDate: string): Promise<{ runId: string; frozen: string }> {
  const { run } = await triggerDag(stackClient(), { dagId: DAG, logicalDate, report: log });
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const running = (await stepContainers(run.dag_run_id)).filter((c) => c.State === 'running');
    if (running.length > 0) {
      await docker.getContainer(running[0].Id).pause();
      log(`froze ${running[0].Names[0]} of ${run.dag_run_id}`);
      return { runId: run.dag_run_id, frozen: running[0].Id };
    }
    await sleep(100);
  }
  throw new Error(`no step container of ${run.dag_run_id} ran within 180 s`);
}

async function waitForRunEnd(runId: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { state } = await getRun(stackClient(), DAG, runId);
      if (state === 'success' || state === 'failed') return state;
    } catch {
      // The api-server is down for part of a daemon restart.
    }
    if (Date.now() > deadline) return 'still running';
    await sleep(1000);
  }
}

/** The generate task's state and tries, as the REST API reports them. */
async function generateTask(runId: string): Promise<Record<string, unknown>> {
  const [ti] = await listTaskInstances(stackClient(), DAG, runId);
  const raw = ti as unknown as Record<string, unknown>;
  return { state: raw.state, try_number: raw.try_number, max_tries: raw.max_tries };
}

/** The refunds of the run's generate task, from Airflow's audit log (REST API). */
async function refundEvents(runId: string): Promise<unknown[]> {
  const page = await stackClient().get<{
    event_logs: { try_number: number | null; extra: string | null }[];
  }>('/api/v2/eventLogs', {
    query: { dag_id: DAG, run_id: runId, event: 'airflow_ml.refunded_try', limit: 100 },
  });
  return page.event_logs.map((e) => ({
    try_number: e.try_number,
    extra: JSON.parse(e.extra ?? 'null') as unknown,
  }));
}

/** No step container of the run is left, waiting a moment for auto_remove. */
async function leftContainers(runId: string): Promise<string[]> {
  for (let i = 0; i < 10; i++) {
    const left = await stepContainers(runId);
    if (left.length === 0) return [];
    await sleep(1000);
  }
  return (await stepContainers(runId)).map((c) => `${c.Names[0]} ${c.State}`);
}

/** Stop and start the Docker daemon the way this machine runs it. */
function restartDockerDaemon(): void {
  const systemd = spawnSync('systemctl', ['is-active', '--quiet', 'docker']);
  if (systemd.status === 0) {
    const r = spawnSync('systemctl', ['restart', 'docker'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`systemctl restart docker failed: ${r.stderr}`);
    return;
  }
  // scripts/ensure-docker.sh started a plain dockerd: stop it, wait, start it the same way.
  const stop = spawnSync(
    'bash',
    ['-c', 'pkill -TERM -x dockerd; while pgrep -x dockerd >/dev/null; do sleep 0.5; done'],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (stop.status !== 0) throw new Error(`stopping dockerd failed: ${stop.stderr}`);
  const start = spawnSync('bash', [path.join(ROOT, 'scripts/ensure-docker.sh')], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (start.status !== 0)
    throw new Error(`ensure-docker.sh failed: ${start.stdout}${start.stderr}`);
}

describe('recovery of the compose stack', () => {
  beforeAll(async () => {
    await requireStackPrerequisites();
    // A fresh env file: no SMTP settings (alerts go to the stack's mail sink).
    await resetStack();
    await up({ ...LOCATION, report: log });
    // generate_data allows one active run: let up's first runs finish, so each test's run
    // starts at once (under load they take minutes).
    await waitUntilIdle(DAG, 600_000);
  }, 1_500_000);

  afterAll(async () => {
    await downLeavingNoDatabase();
    process.stderr.write(`\nrecovery timings:\n  ${timings.join('\n  ')}\n`);
  }, 300_000);

  it('kills the scheduler process during a step: retried, refunded, the run succeeds within 60 s, nothing left', async () => {
    const { runId } = await triggerAndFreeze('2026-03-01T00:00:00+00:00');
    const scheduler = await containerOf('airflow-scheduler');
    // The scheduler is PID 1's child (tini or dumb-init runs it); SIGKILL it, as the OOM
    // killer would. The container then exits and Docker restarts it (restart: always).
    const kill = await execIn(scheduler.id, [
      'bash',
      '-c',
      'for d in /proc/[0-9]*; do read -r pid _ _ ppid _ < "$d/stat" 2>/dev/null || continue; if [ "$ppid" = 1 ]; then kill -9 "$pid" && echo "killed $pid"; fi; done',
    ]).catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }));
    const killedAt = Date.now();
    log(`scheduler kill: ${JSON.stringify(kill)}`);
    const state = await waitForRunEnd(runId, 120_000);
    const took = Date.now() - killedAt;
    timings.push(`scheduler killed during a step -> run ${state}: ${seconds(took)}`);
    expect({ state, within60s: took < 60_000 }).toEqual({ state: 'success', within60s: true });
    // Try 1 was lost with the scheduler and refunded: max_tries is retries (1) + 1.
    expect(await generateTask(runId)).toEqual({ state: 'success', try_number: 2, max_tries: 2 });
    expect(await leftContainers(runId)).toEqual([]);
    const restarted = await containerOf('airflow-scheduler');
    expect(restarted.info.RestartCount).toBeGreaterThan(scheduler.info.RestartCount);
    // The refund is in Airflow's audit log, once.
    expect(await refundEvents(runId)).toEqual([
      { try_number: 1, extra: { reason: 'its scheduler died', refund: 1, max_tries: 2 } },
    ]);
  }, 240_000);

  it('restarts the socket proxy during a step: the operator runs the step again inside the same try', async () => {
    const { runId } = await triggerAndFreeze('2026-03-03T00:00:00+00:00');
    const proxy = await containerOf('docker-proxy');
    const restartedAt = Date.now();
    // The scheduler lives on; the proxy forgets the container it created (its table is in
    // memory), so the operator's wait is refused or dropped: an engine fault, not the step's.
    await docker.getContainer(proxy.id).restart();
    const state = await waitForRunEnd(runId, 180_000);
    timings.push(
      `socket proxy restarted during a step -> run ${state}: ${seconds(Date.now() - restartedAt)}`,
    );
    expect(state).toBe('success');
    expect(await generateTask(runId)).toEqual({ state: 'success', try_number: 1, max_tries: 1 });
    expect(await leftContainers(runId)).toEqual([]);
    expect(await refundEvents(runId)).toEqual([]);
  }, 300_000);

  it('stops Postgres for 30 s during a step: the run succeeds with its retry unspent', async () => {
    const { runId, frozen } = await triggerAndFreeze('2026-03-04T00:00:00+00:00');
    const postgres = await containerOf('postgres');
    const stoppedAt = Date.now();
    await docker.getContainer(postgres.id).stop({ t: 5 });
    await sleep(30_000);
    await docker.getContainer(postgres.id).start();
    await docker
      .getContainer(frozen)
      .unpause()
      .catch(() => undefined); // a reset try removed it already
    const state = await waitForRunEnd(runId, 600_000);
    timings.push(
      `Postgres stopped 30 s during a step -> run ${state}: ${seconds(Date.now() - stoppedAt)}`,
    );
    expect(state).toBe('success');
    const ti = await generateTask(runId);
    log(
      `after the Postgres outage: ${JSON.stringify(ti)}, refunds ${JSON.stringify(await refundEvents(runId))}`,
    );
    // Whether the scheduler rode it out (try 1) or died and its try was refunded (try 2), the
    // task's one retry is still there: max_tries - try_number = retries - 1 = 0.
    expect({
      state: ti.state,
      unspent: (ti.max_tries as number) - (ti.try_number as number),
    }).toEqual({
      state: 'success',
      unspent: 0,
    });
    expect(await leftContainers(runId)).toEqual([]);
    expect(await stoppedStackServices(docker)).toEqual([]);
  }, 900_000);

  it('restarts the Docker daemon during a step: the run succeeds with its one retry unspent', async () => {
    const { runId } = await triggerAndFreeze('2026-03-02T00:00:00+00:00');
    const restartedAt = Date.now();
    restartDockerDaemon();
    log(`Docker daemon restarted in ${seconds(Date.now() - restartedAt)}`);
    const state = await waitForRunEnd(runId, 600_000);
    timings.push(
      `Docker daemon restarted during a step -> run ${state}: ${seconds(Date.now() - restartedAt)}`,
    );
    expect(state).toBe('success');
    // One try lost with the daemon and refunded; the task could still fail once and retry.
    expect(await generateTask(runId)).toEqual({ state: 'success', try_number: 2, max_tries: 2 });
    expect(await refundEvents(runId)).toEqual([
      { try_number: 1, extra: { reason: 'its scheduler died', refund: 1, max_tries: 2 } },
    ]);
    expect(await leftContainers(runId)).toEqual([]);
    expect(await stoppedStackServices(docker)).toEqual([]);
  }, 900_000);

  it('names a docker-killed scheduler and the command that fixes it; up brings it back', async () => {
    const scheduler = await containerOf('airflow-scheduler');
    await docker.getContainer(scheduler.id).kill();
    // Docker does not restart a container that was killed through its API.
    await sleep(5000);
    const settings = stackSettings();
    const env = {
      AIRFLOW_URL: settings.url,
      AIRFLOW_USERNAME: settings.username,
      AIRFLOW_PASSWORD: settings.password,
    };
    const status = runCli(['status'], env);
    expect({ code: status.code, stderr: status.stderr.trim() }).toEqual({
      code: 1,
      stderr:
        'error: the stack has stopped services: airflow-scheduler exited (code 137)\n' +
        'hint: run `npx airflow-ml up`: it starts what is stopped and leaves what runs alone',
    });
    const again = runCli(['up', '--stack-env-file', ENV_FILE], {}, 600_000);
    expect(again.code).toBe(0);
    expect(await stoppedStackServices(docker)).toEqual([]);
    expect(runCli(['status'], env).code).toBe(0);
  }, 900_000);

  it('reaps a step container that no task instance runs any more', async () => {
    // What a try lost with its scheduler leaves when no later try comes: a run that was
    // marked failed, say. Here: a step container labelled for a task instance that does not
    // exist.
    const name = `${STEP_CONTAINER_PREFIX}${'ab'.repeat(12)}-t1`;
    const image = (await docker.listImages({ filters: { reference: ['airflow-ml-generate'] } }))[0]
      .RepoTags?.[0] as string;
    const leftover = await docker.createContainer({
      name,
      Image: image,
      // The step image's entrypoint is the step; this one only waits, running.
      Entrypoint: ['node'],
      Cmd: ['-e', 'setTimeout(() => {}, 600000)'],
      User: '1000:1000',
      Labels: {
        [STEP_LABEL]: 'true',
        [STACK_LABEL]: STACK_PROJECT_NAME,
        'airflow-ml.dag_id': DAG,
        'airflow-ml.run_id': 'manual__1999-01-01T00:00:00+00:00',
        'airflow-ml.task_id': 'generate',
        'airflow-ml.map_index': '-1',
        'airflow-ml.try_number': '1',
      },
      HostConfig: { NetworkMode: 'none' },
    });
    await leftover.start();
    const started = Date.now();
    let gone = false;
    while (!gone && Date.now() - started < 90_000) {
      await sleep(2000);
      gone = await leftover.inspect().then(
        () => false,
        (e: { statusCode?: number }) => e.statusCode === 404,
      );
    }
    timings.push(
      `reaper removed an orphaned step container after ${seconds(Date.now() - started)}`,
    );
    const reaper = await containerOf('step-reaper');
    const logs = (
      await docker.getContainer(reaper.id).logs({ stdout: true, stderr: true })
    ).toString('utf8');
    // Its lines about this container (the log's frame headers cut off before the prefix).
    const removals = logs
      .split('\n')
      .filter((l) => l.includes(name))
      .map((l) => l.slice(l.indexOf('[step-reaper]')));
    expect({ gone, removals }).toEqual({
      gone: true,
      removals: [
        `[step-reaper] removed ${name} (running; ${DAG}.generate run manual__1999-01-01T00:00:00+00:00): its task instance no longer exists`,
      ],
    });
  }, 180_000);
});
