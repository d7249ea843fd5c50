import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import { listDags, listImportErrors } from '../../../cli/airflow/dags';
import { getAirflowStatus } from '../../../cli/airflow/health';
import { getRun } from '../../../cli/airflow/runs';
import { triggerDag } from '../../../cli/airflow/trigger';
import { getVariable, setVariable } from '../../../cli/airflow/variables';
import { down } from '../../../cli/stack/down';
import { INIT_SERVICE, LONG_RUNNING_SERVICES, serviceStates } from '../../../cli/stack/services';
import { STACK_PROJECT_NAME } from '../../../cli/stack/settings';
import { up, type UpResult } from '../../../cli/stack/up';
import {
  DAG_IDS,
  DATA_ROOT,
  ENV_FILE,
  LOCATION,
  failScheduledRuns,
  log,
  requireStackPrerequisites,
  resetStack,
  seconds,
  stackClient,
} from './support';

/**
 * The compose stack end to end, as a user runs it: `up` from a clean engine state, the DAGs
 * parsed with no import errors, generate_data then train_model for one fixed logical date run
 * by the stack's scheduler (DockerOperator over the mounted socket), their files in the host
 * data root; `down`, `up` again with data, runs and PROD_DIR kept; a final `down`.
 */

const DS = '2026-01-05';
const LOGICAL_DATE = `${DS}T00:00:00+00:00`;
const RUN_TIMEOUT_MS = 8 * 60_000;
const docker = new Docker();
const timings: string[] = [];
const runIds: Record<string, string> = {};

function stackFile(rel: string): string {
  return path.join(DATA_ROOT, rel);
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
    await down({ ...LOCATION, report: log });
    process.stderr.write(`\nstack timings:\n  ${timings.join('\n  ')}\n`);
  }, 300_000);

  it('comes up from a clean engine state with every service healthy and the DAGs deployed', async () => {
    await resetStack();
    const result = await timedUp('up, clean state (no database volume; images built)');
    expect(result.deployedDags.sort()).toEqual(DAG_IDS);
    // up filled in the env file but kept the data root it was given.
    const env = fs.readFileSync(ENV_FILE, 'utf8');
    for (const key of [
      'FERNET_KEY',
      'AIRFLOW__API_AUTH__JWT_SECRET',
      'AIRFLOW_UID',
      'DOCKER_GID',
      'AIRFLOW_ML_STEP_USER',
    ]) {
      expect(env).toMatch(new RegExp(`^${key}=.+$`, 'm'));
    }
    expect(env).toContain(`AIRFLOW_ML_DATA_ROOT=${DATA_ROOT}\n`);
    expect(fs.statSync(ENV_FILE).mode & 0o777).toBe(0o600);
    await expectAllHealthy();
  }, 900_000);

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
      await failScheduledRuns(client, ['train_model', 'predict']);
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
        `models/${DS}/model.json`,
        `models/${DS}/metrics.json`,
      ]) {
        const stat = fs.statSync(stackFile(rel));
        expect({ rel, size: stat.size > 0, uid: stat.uid }).toEqual({
          rel,
          size: true,
          uid: stepUid,
        });
      }
      const model = JSON.parse(
        fs.readFileSync(stackFile(`models/${DS}/model.json`), 'utf8'),
      ) as Record<string, unknown>;
      expect(JSON.stringify(model)).toContain(DS);
    },
    2 * RUN_TIMEOUT_MS + 60_000,
  );

  it('keeps data, runs and PROD_DIR across down and up', async () => {
    const prodDir = `models/${DS}`;
    await setVariable(stackClient(), 'PROD_DIR', prodDir);
    const before = fs.readFileSync(stackFile(`models/${DS}/model.json`), 'utf8');

    await down({ ...LOCATION, report: log });
    expect([...(await serviceStates(docker, STACK_PROJECT_NAME)).keys()]).toEqual([]);
    expect(fs.readFileSync(stackFile(`models/${DS}/model.json`), 'utf8')).toBe(before);

    await timedUp('up again (database volume and images kept)');
    await expectAllHealthy();
    const client = stackClient();
    expect((await getVariable(client, 'PROD_DIR')).value).toBe(prodDir);
    for (const [dagId, runId] of Object.entries(runIds)) {
      expect((await getRun(client, dagId, runId)).state).toBe('success');
    }
    expect(fs.existsSync(stackFile(`raw/${DS}/data.csv`))).toBe(true);
    expect(fs.readFileSync(stackFile(`models/${DS}/model.json`), 'utf8')).toBe(before);
  }, 900_000);
});
