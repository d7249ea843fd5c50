import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import { parseDotenv } from '../../../cli/base/dotenv';
import { listDags, listImportErrors } from '../../../cli/ops/airflow/dags';
import { getAirflowStatus } from '../../../cli/ops/airflow/health';
import { apiPaths } from '../../../cli/ops/airflow/paths';
import { getRun, listTaskInstances } from '../../../cli/ops/airflow/runs';
import type { DagRunCollection } from '../../../cli/ops/airflow/api-types';
import { triggerDag } from '../../../cli/ops/airflow/trigger';
import { getVariable, setVariable } from '../../../cli/ops/airflow/variables';
import { down } from '../../../cli/ops/stack/down';
import { SECRET_ENV_KEYS } from '../../../cli/ops/stack/secrets';
import {
  INIT_SERVICE,
  LONG_RUNNING_SERVICES,
  serviceStates,
} from '../../../cli/ops/stack/services';
import { STACK_PROJECT_NAME } from '../../../cli/ops/stack/settings';
import { up, type UpResult } from '../../../cli/ops/stack/up';
import { runCli, runCliAsync } from '../support/cli';
import {
  containerOf,
  execIn,
  findSecrets,
  nonLoopbackIPv4,
  projectContainers,
  tryConnect,
} from './security';
import {
  DAG_IDS,
  DATA_ROOT,
  ENV_FILE,
  LOCATION,
  log,
  requireStackPrerequisites,
  resetStack,
  seconds,
  stackClient,
  stackSettings,
  downLeavingNoDatabase,
} from './support';

/**
 * The compose stack end to end, as a user runs it: `airflow-ml up` from a clean engine state
 * (with an admin password and an SMTP password full of characters that break naive quoting),
 * the DAGs parsed with no import errors, generate_data then train_model for one fixed logical
 * date run by the stack's scheduler (DockerOperator through the socket proxy), their files in
 * the host data root; a failing run's alert listed by `alerts list` from the local mail sink
 * within 30 s; the closed-stack checks (UI/API on 127.0.0.1 only, no secret in any
 * container's `docker inspect` or in up's output, the proxy refusing what DockerOperator does
 * not need, the CLI logging in with that password); `down`, `up` again with data, runs and
 * PROD_DIR kept; a final `down`.
 */

const DS = '2026-01-05';
// A leading `-` (parsed as a flag by naive CLIs), both quotes, `$` (shell and compose
// expansion), spaces and non-ASCII letters.
const ADMIN_PASSWORD = `-Pw 'sq' "dq" $HOME \${PATH} ünï ok`;
const SMTP_PASSWORD = `-smtp 'a' "b" $USER ß x`;
// No SMTP_HOST: alerts go to the stack's own mail sink, as out of the box. SMTP_PASSWORD is
// still set, so its secret file is written and checked (content, mode, never leaked) like the
// others. (A refusing SMTP server failing `up` loudly: alerts-refused.test.ts.)
const STACK_VALUES = {
  AIRFLOW_PASSWORD: ADMIN_PASSWORD,
  SMTP_PASSWORD,
};
const SINK_LINE =
  'alerts: local mail sink, read with `airflow-ml alerts list` (http://127.0.0.1:8025)';
/** A day with no data yet: its predict run gets a corrupt input and fails at once (exit 3). */
const BAD_DS = '2026-01-07';
const ALERT_LATENCY_MS = 30_000;
const LOGICAL_DATE = `${DS}T00:00:00+00:00`;
const RUN_TIMEOUT_MS = 8 * 60_000;
/** How long the first loop (generate, train, promote, predict) may take after up (issue 11). */
const LOOP_TIMEOUT_MS = 10 * 60_000;
const lines = (file: string) => fs.readFileSync(file, 'utf8').trimEnd().split('\n');
const docker = new Docker();
const timings: string[] = [];
const runIds: Record<string, string> = {};
let upOutput = '';

/** The secret values of the test stack's env file, by key. */
function stackSecrets(): Record<string, string> {
  const env = parseDotenv(fs.readFileSync(ENV_FILE, 'utf8'));
  return Object.fromEntries(SECRET_ENV_KEYS.map((k) => [k, env.get(k) ?? '']));
}

function stackFile(rel: string): string {
  return path.join(DATA_ROOT, rel);
}

/**
 * The folder of the model train_model wrote for a date, relative to the data root:
 * models/<ds> or, with the steps' model registry, models/<ds>/<run id> (the only one there).
 */
function modelDir(ds: string): string {
  const base = `models/${ds}`;
  if (fs.existsSync(stackFile(`${base}/model.json`))) return base;
  const runs = fs.existsSync(stackFile(base))
    ? fs
        .readdirSync(stackFile(base))
        .filter((d) => fs.existsSync(stackFile(`${base}/${d}/model.json`)))
    : [];
  if (runs.length !== 1) throw new Error(`expected one model under ${base}, found ${runs.length}`);
  return `${base}/${runs[0]}`;
}

async function timedUp(label: string): Promise<UpResult> {
  const started = Date.now();
  const result = await up({ ...LOCATION, report: log });
  timings.push(
    `${label}: ${seconds(Date.now() - started)} (${result.timings.map(([p, s]) => `${p} ${s.toFixed(1)}s`).join(', ')})`,
  );
  log(timings[timings.length - 1]);
  return result;
}

async function expectAllHealthy(): Promise<void> {
  const states = await serviceStates(docker, STACK_PROJECT_NAME);
  for (const service of LONG_RUNNING_SERVICES) {
    expect({
      service,
      status: states.get(service)?.status,
      health: states.get(service)?.health,
    }).toEqual({
      service,
      status: 'running',
      health: 'healthy',
    });
  }
  expect(states.get(INIT_SERVICE)).toMatchObject({ status: 'exited', exitCode: 0 });
  const status = await getAirflowStatus(stackClient());
  expect(status.components.map((c) => [c.name, c.status])).toEqual([
    ['metadatabase', 'healthy'],
    ['scheduler', 'healthy'],
    ['dag-processor', 'healthy'],
    ['triggerer', 'healthy'],
  ]);
}

describe('local Airflow stack (docker-compose.yml, airflow-ml up/down)', () => {
  beforeAll(async () => {
    await requireStackPrerequisites();
  }, 120_000);

  afterAll(async () => {
    await downLeavingNoDatabase();
    process.stderr.write(`\nstack timings:\n  ${timings.join('\n  ')}\n`);
  }, 300_000);

  it('comes up from a clean engine state with every service healthy and the DAGs deployed', async () => {
    await resetStack(STACK_VALUES);
    // The CLI as a user runs it, so everything `up` prints is checked below.
    const started = Date.now();
    const res = await runCliAsync(['up', '--stack-env-file', ENV_FILE], {}, 900_000);
    upOutput = res.stdout + res.stderr;
    log(upOutput.trimEnd().split('\n').slice(-8).join('\n'));
    expect(res.code).toBe(0);
    const phases = /timings: (.*)/.exec(res.stderr)?.[1] ?? '';
    timings.push(
      `up, clean state (no database volume; images built): ${seconds(Date.now() - started)} (${phases})`,
    );
    const deployed = /^deployed: (.*)$/m.exec(res.stdout)?.[1].split(', ') ?? [];
    expect(deployed.sort()).toEqual(DAG_IDS);
    // Where the login is kept, never the password itself.
    expect(res.stdout).toContain(`login: airflow, password in ${ENV_FILE} (AIRFLOW_PASSWORD)`);
    expect(res.stdout).toContain('published on 127.0.0.1:8080');
    expect(res.stdout).toContain(`\n${SINK_LINE}\n`);
    // up filled in the env file but kept the data root and the values it was given.
    const env = fs.readFileSync(ENV_FILE, 'utf8');
    for (const key of [
      'FERNET_KEY',
      'AIRFLOW__API_AUTH__JWT_SECRET',
      'AIRFLOW_UID',
      'DOCKER_GID',
      'AIRFLOW_ML_STEP_USER',
      'POSTGRES_PASSWORD',
      'AIRFLOW_ML_SECRETS_DIR',
    ]) {
      expect(env).toMatch(new RegExp(`^${key}=.+$`, 'm'));
    }
    expect(env).toContain(`AIRFLOW_ML_DATA_ROOT=${DATA_ROOT}\n`);
    expect(fs.statSync(ENV_FILE).mode & 0o777).toBe(0o600);
    expect(stackSecrets()).toMatchObject({
      AIRFLOW_PASSWORD: ADMIN_PASSWORD,
      SMTP_PASSWORD,
    });
    // The secret files: a 0700 folder next to the env file, root:0 0640 files, exact content.
    const secretsDir = path.join(path.dirname(ENV_FILE), '.secrets');
    expect(fs.statSync(secretsDir).mode & 0o777).toBe(0o700);
    for (const name of ['admin_password', 'smtp_password', 'fernet_key', 'jwt_secret']) {
      const st = fs.statSync(path.join(secretsDir, name));
      expect({ name, mode: st.mode & 0o777, uid: st.uid, gid: st.gid }).toEqual({
        name,
        mode: 0o640,
        uid: 0,
        gid: 0,
      });
    }
    expect(fs.readFileSync(path.join(secretsDir, 'admin_password'), 'utf8')).toBe(ADMIN_PASSWORD);
    expect(fs.readFileSync(path.join(secretsDir, 'smtp_password'), 'utf8')).toBe(SMTP_PASSWORD);
    await expectAllHealthy();
  }, 900_000);

  it(
    'closes the loop by itself: data, a promoted model and predictions for today, nothing waiting',
    async () => {
      // Nothing is triggered here: up's first runs and the scheduler do all of it.
      const today = new Date().toISOString().slice(0, 10);
      const meta = stackFile(`predictions/${today}/prediction-meta.json`);
      const started = Date.now();
      while (!fs.existsSync(meta)) {
        if (Date.now() - started > LOOP_TIMEOUT_MS) {
          throw new Error(`no predictions for ${today} within ${LOOP_TIMEOUT_MS / 60_000} minutes`);
        }
        await new Promise((r) => setTimeout(r, 5000));
      }
      timings.push(
        `first loop after up (data, train, promote, predict for ${today}): ${seconds(Date.now() - started)}`,
      );
      expect(fs.existsSync(stackFile(`raw/${today}/data.csv`))).toBe(true);
      expect(lines(stackFile(`predictions/${today}/predictions.csv`))[0]).toBe('class,probability');
      // The model that scored the rows is the one the pipeline's promote step put in production.
      const history = lines(stackFile('models/history.jsonl')).map((l) => JSON.parse(l));
      expect(history.map((h) => [h.from, h.by])).toEqual([[null, 'promote step']]);
      const scoredBy = JSON.parse(fs.readFileSync(meta, 'utf8')).model as string;
      expect(scoredBy).toBe(`/data/models/${history[0].to}/model.json`);
      // No run is left waiting on a sensor (or anything else).
      // predictions.csv is written before its run is marked success: allow that moment (a run
      // waiting on a sensor would still be waiting after it).
      const client = stackClient();
      const waiting = async (dagId: string) => {
        const { dag_runs: runs } = await client.get<DagRunCollection>(apiPaths.dagRuns(dagId), {
          query: { limit: 100 },
        });
        return runs.filter((r) => r.state !== 'success').map((r) => [r.dag_run_id, r.state]);
      };
      for (const dagId of DAG_IDS) {
        let left = await waiting(dagId);
        for (let i = 0; i < 60 && left.length > 0; i++) {
          await new Promise((r) => setTimeout(r, 1000));
          left = await waiting(dagId);
        }
        expect({ dagId, waiting: left }).toEqual({ dagId, waiting: [] });
      }
    },
    LOOP_TIMEOUT_MS + 60_000,
  );

  it('lists the three DAGs through the API, with no import errors', async () => {
    const client = stackClient();
    const dags = await listDags(client);
    expect(dags.map((d) => d.dag_id).sort()).toEqual(DAG_IDS);
    expect(dags.filter((d) => d.has_import_errors)).toEqual([]);
    expect(await listImportErrors(client)).toEqual([]);
  }, 60_000);

  it(
    'runs generate_data then train_model in the stack; their files appear in the host data root',
    async () => {
      const client = stackClient();
      for (const dagId of ['generate_data', 'train_model']) {
        const started = Date.now();
        const outcome = await triggerDag(client, {
          dagId,
          logicalDate: LOGICAL_DATE,
          wait: true,
          timeoutMs: RUN_TIMEOUT_MS,
          report: log,
        });
        expect(outcome.final?.state).toBe('success');
        runIds[dagId] = outcome.run.dag_run_id;
        timings.push(`${dagId} run for ${DS}: ${seconds(Date.now() - started)}`);
      }
      const stepUid = Number(
        fs.readFileSync(ENV_FILE, 'utf8').match(/^AIRFLOW_ML_STEP_USER=(\d+):/m)?.[1],
      );
      for (const rel of [
        `raw/${DS}/data.csv`,
        `raw/${DS}/target.csv`,
        `${modelDir(DS)}/model.json`,
        `${modelDir(DS)}/metrics.json`,
      ]) {
        const stat = fs.statSync(stackFile(rel));
        expect({ rel, size: stat.size > 0, uid: stat.uid }).toEqual({
          rel,
          size: true,
          uid: stepUid,
        });
      }
      const model = JSON.parse(
        fs.readFileSync(stackFile(`${modelDir(DS)}/model.json`), 'utf8'),
      ) as Record<string, unknown>;
      expect(JSON.stringify(model)).toContain(DS);
    },
    2 * RUN_TIMEOUT_MS + 60_000,
  );

  it(
    "lists a failing run's alert from the local mail sink within 30 s of the failure",
    async () => {
      const client = stackClient();
      const cliEnv = { AIRFLOW_URL: stackSettings().url };
      // status names the path and checks the sink answers.
      const status = await runCliAsync(['status'], cliEnv, 60_000);
      expect({ code: status.code, stderr: status.stderr }).toEqual({ code: 0, stderr: '' });
      expect(status.stdout.trimEnd().split('\n').at(-1)).toBe(SINK_LINE);

      // A corrupt cell in the day's data: predict exits 3, its own verdict, so the task fails
      // on try 1 with no retry and the failure callback mails at once.
      const good = lines(stackFile(`raw/${DS}/data.csv`));
      good[3] = good[3].replace(/^[0-9]+/, 'forty');
      fs.mkdirSync(stackFile(`raw/${BAD_DS}`), { recursive: true });
      fs.writeFileSync(stackFile(`raw/${BAD_DS}/data.csv`), `${good.join('\n')}\n`);
      const subject = `[airflow-ml] predict.predict failed for ${BAD_DS}`;
      const { run } = await triggerDag(client, {
        dagId: 'predict',
        logicalDate: `${BAD_DS}T00:00:00+00:00`,
        report: log,
      });

      // The built CLI, as a user would poll it, until the alert is listed.
      const started = Date.now();
      let listedAt = 0;
      let alert: Record<string, unknown> | undefined;
      while (!alert) {
        if (Date.now() - started > RUN_TIMEOUT_MS) {
          throw new Error(`no alert "${subject}" listed within ${RUN_TIMEOUT_MS / 60_000} minutes`);
        }
        const res = await runCliAsync(
          ['alerts', 'list', '--json', '--limit', '50'],
          cliEnv,
          60_000,
        );
        expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
        const listed = JSON.parse(res.stdout) as Record<string, unknown>[];
        alert = listed.find((a) => a.subject === subject);
        if (alert) listedAt = Date.now();
        else await new Promise((r) => setTimeout(r, 500));
      }
      // The worker sends the alert from the failure callback before it reports the state,
      // so the mail may be listed a moment before Airflow shows the task failed.
      const predictTask = async () =>
        (await listTaskInstances(client, 'predict', run.dag_run_id)).find(
          (t) => t.task_id === 'predict',
        );
      let predict = await predictTask();
      for (let i = 0; i < 30 && predict?.state === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        predict = await predictTask();
      }
      expect({ state: predict?.state, try: predict?.try_number }).toEqual({
        state: 'failed',
        try: 1,
      });
      const latencyMs = listedAt - Date.parse(predict?.end_date ?? '');
      timings.push(`alert listed by \`alerts list\` after the task failed: ${seconds(latencyMs)}`);
      log(timings[timings.length - 1]);
      expect(latencyMs).toBeLessThan(ALERT_LATENCY_MS);
      expect({ ...alert, id: typeof alert.id, time: typeof alert.time }).toEqual({
        id: 'string',
        time: 'string',
        from: 'airflow-ml@localhost',
        to: ['ml-alerts@example.com'],
        subject,
        firstLine: `DAG predict, task predict failed for logical date ${BAD_DS} (run ${run.dag_run_id}, try 1).`,
      });

      // The table a person reads: the same alert on the first row, newest first.
      const table = await runCliAsync(['alerts', 'list', '--limit', '1'], cliEnv, 60_000);
      expect(table.code).toBe(0);
      const [header, row] = table.stdout.trimEnd().split('\n');
      expect(header).toMatch(/^TIME +TO +SUBJECT +FIRST LINE$/);
      expect(row).toContain(`ml-alerts@example.com  ${subject}  DAG predict, task predict failed`);
    },
    RUN_TIMEOUT_MS + 120_000,
  );

  it('publishes the UI/API on 127.0.0.1 only', async () => {
    const address = nonLoopbackIPv4();
    log(`non-loopback address of this host: ${address}`);
    expect({ address, result: await tryConnect(address, 8080) }).toEqual({
      address,
      result: 'ECONNREFUSED',
    });
    expect(await tryConnect('127.0.0.1', 8080)).toBe('connected');
    const api = await containerOf('airflow-apiserver');
    expect(api.info.HostConfig.PortBindings).toEqual({
      '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }],
    });
  }, 60_000);

  it("keeps every secret out of the containers' docker inspect and out of up's output", async () => {
    const secrets = stackSecrets();
    expect(Object.keys(secrets).filter((k) => secrets[k].length === 0)).toEqual([]);
    const containers = await projectContainers();
    expect(containers.map((c) => c.service).sort()).toEqual(
      [INIT_SERVICE, ...LONG_RUNNING_SERVICES].sort(),
    );
    const hits = containers.flatMap((c) =>
      findSecrets(c.info, secrets).map((h) => `${c.service}: ${h}`),
    );
    expect(hits).toEqual([]);
    expect(findSecrets(upOutput, secrets)).toEqual([]);
    // The secrets arrive as files instead, and Airflow reads them (this proves the _CMD path).
    const scheduler = await containerOf('airflow-scheduler');
    const env = scheduler.info.Config.Env ?? [];
    expect(env).toContain('AIRFLOW__CORE__FERNET_KEY_CMD=cat /run/secrets/fernet_key');
    expect(env.filter((e) => /^AIRFLOW__(CORE__FERNET_KEY|API_AUTH__JWT_SECRET)=/.test(e))).toEqual(
      [],
    );
  }, 120_000);

  it('gives the scheduler Docker only through the proxy, which refuses what DockerOperator does not need', async () => {
    const scheduler = await containerOf('airflow-scheduler');
    const proxy = await containerOf('docker-proxy');
    const postgres = await containerOf('postgres');
    const mounts = (c: typeof scheduler) => (c.info.Mounts ?? []).map((m) => m.Source);
    expect(mounts(scheduler)).not.toContain('/var/run/docker.sock');
    expect(mounts(proxy)).toContain('/var/run/docker.sock');
    expect(proxy.info.HostConfig.NetworkMode).toBe('none');
    expect(scheduler.info.Config.Env).toContain('DOCKER_HOST=unix:///run/docker-proxy/docker.sock');
    expect((await execIn(scheduler.id, ['test', '-e', '/var/run/docker.sock'])).code).toBe(1);

    // `<status> <body>` of a request to the proxy, made from inside the scheduler.
    const call = async (method: string, url: string, body?: unknown): Promise<string> => {
      const args = ['curl', '-s', '-w', ' %{http_code}', '-X', method];
      args.push('--unix-socket', '/run/docker-proxy/docker.sock');
      if (body !== undefined) {
        args.push('-H', 'Content-Type: application/json', '--data-binary', JSON.stringify(body));
      }
      const res = await execIn(scheduler.id, [...args, `http://docker${url}`]);
      const out = res.stdout.trim();
      return `${out.slice(out.lastIndexOf(' ') + 1)} ${out.slice(0, out.lastIndexOf(' '))}`;
    };
    // What a generated DAG's task sends, but for one field each (so each refusal is for that
    // field, not for something else missing).
    const create = (hostConfig: Record<string, unknown>) =>
      call('POST', '/v1.41/containers/create', {
        Image: 'airflow-ml-local/node:bookworm',
        User: '1000:1000',
        HostConfig: {
          NetworkMode: 'none',
          Mounts: [{ Type: 'bind', Source: DATA_ROOT, Target: '/data' }],
          ...hostConfig,
        },
      });
    const NOT_ALLOWED = 'this Docker API call is not allowed';
    const results = {
      ping: await call('GET', '/v1.41/_ping'),
      listContainers: await call('GET', '/v1.41/containers/json'),
      listContainersUnversioned: await call('GET', '/containers/json'),
      exec: await call('POST', `/v1.41/containers/${scheduler.id}/exec`, { Cmd: ['id'] }),
      inspectPostgres: await call('GET', `/v1.41/containers/${postgres.id}/json`),
      stopPostgres: await call('POST', `/v1.41/containers/${postgres.id}/stop`),
      createPrivileged: await create({ Privileged: true }),
      createWithDockerSocket: await create({
        Binds: ['/var/run/docker.sock:/var/run/docker.sock'],
      }),
      createMountingHostRoot: await create({
        Mounts: [{ Type: 'bind', Source: '/', Target: '/host' }],
      }),
    };
    expect(results.ping).toBe('200 OK');
    const refused = (text: string) => expect.stringMatching(new RegExp(`^403 .*${text}`));
    expect(results).toEqual({
      ping: '200 OK',
      listContainers: refused(NOT_ALLOWED),
      listContainersUnversioned: refused(NOT_ALLOWED),
      exec: refused(NOT_ALLOWED),
      inspectPostgres: refused(NOT_ALLOWED),
      stopPostgres: refused(NOT_ALLOWED),
      createPrivileged: refused('hostconfig.privileged must be false'),
      createWithDockerSocket: refused('hostconfig.binds is not allowed'),
      createMountingHostRoot: refused('Source must be the data root'),
    });
  }, 120_000);

  it('lets the CLI log in with the admin password from the env file', () => {
    const settings = stackSettings();
    expect(settings.password).toBe(ADMIN_PASSWORD);
    // Through the environment, never a command line.
    const res = runCli(['get-variable', 'PROD_DIR'], {
      AIRFLOW_URL: settings.url,
      AIRFLOW_USERNAME: settings.username,
      AIRFLOW_PASSWORD: settings.password,
    });
    expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
    expect(res.stdout.trim()).toMatch(/^models\//);
    const wrong = runCli(['get-variable', 'PROD_DIR'], {
      AIRFLOW_URL: settings.url,
      AIRFLOW_USERNAME: settings.username,
      AIRFLOW_PASSWORD: `${settings.password}x`,
    });
    expect(wrong.code).toBe(5);
  }, 60_000);

  it('keeps data, runs and PROD_DIR across down and up', async () => {
    const prodDir = modelDir(DS);
    await setVariable(stackClient(), 'PROD_DIR', prodDir);
    const before = fs.readFileSync(stackFile(`${prodDir}/model.json`), 'utf8');

    await down({ ...LOCATION, report: log });
    expect([...(await serviceStates(docker, STACK_PROJECT_NAME)).keys()]).toEqual([]);
    expect(fs.readFileSync(stackFile(`${prodDir}/model.json`), 'utf8')).toBe(before);

    await timedUp('up again (database volume and images kept)');
    await expectAllHealthy();
    const client = stackClient();
    expect((await getVariable(client, 'PROD_DIR')).value).toBe(prodDir);
    for (const [dagId, runId] of Object.entries(runIds)) {
      expect((await getRun(client, dagId, runId)).state).toBe('success');
    }
    expect(fs.existsSync(stackFile(`raw/${DS}/data.csv`))).toBe(true);
    expect(fs.readFileSync(stackFile(`${prodDir}/model.json`), 'utf8')).toBe(before);
  }, 900_000);
});
