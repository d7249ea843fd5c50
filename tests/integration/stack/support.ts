import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { AirflowClient } from '../../../cli/ops/airflow/client';
import { detectCompose } from '../../../cli/ops/stack/compose';
import { hasImage } from '../../../cli/ops/stack/engine';
import {
  BROKER_IMAGE,
  LOCAL_MAIL_SINK_IMAGE,
  LOCAL_NODE_BASE,
  LOCAL_POSTGRES_IMAGE,
  LOCAL_PROXY_IMAGE,
  OFFICIAL_AIRFLOW_IMAGE,
  OFFICIAL_MAIL_SINK_IMAGE,
  OFFICIAL_POSTGRES_IMAGE,
  OFFICIAL_PROXY_IMAGE,
} from '../../../cli/ops/stack/images';
import { BASE_IMAGE_ENV, DEFAULT_BASE_IMAGE } from '../../../cli/ops/images';
import { down } from '../../../cli/ops/stack/down';
import { isPortFree } from '../../../cli/ops/stack/port';
import { readStackSettings, type StackSettings } from '../../../cli/ops/stack/settings';
import { ROOT } from '../support/cli';

/**
 * Shared by the stack and browser tests: one stack (compose project "airflow-ml", port
 * 8080), with its env file and data root in a fixed temp folder rather than the checkout's
 * .env, so a developer's own settings are never read or changed.
 */
export const STACK_DIR = path.join(os.tmpdir(), 'airflow-ml-stack-test');
export const ENV_FILE = path.join(STACK_DIR, 'stack.env');
export const DATA_ROOT = path.join(STACK_DIR, 'data');
export const LOCATION = { root: ROOT, envFile: ENV_FILE };
export const DAG_IDS = ['generate_data', 'predict', 'train_model', 'train_model_gbm'];

export function log(line: string): void {
  process.stderr.write(`[stack] ${line}\n`);
}

/**
 * What these tests need that .ci/run provisions; a missing piece FAILS the test with what
 * provides it (never a skip).
 */
export async function requireStackPrerequisites(extra: string[] = []): Promise<void> {
  const missing = [...extra];
  try {
    await detectCompose();
  } catch {
    missing.push('a compose command: apt-get install docker-compose (scripts/setup.sh does)');
  }
  const docker = new Docker();
  const postgres =
    (await hasImage(docker, OFFICIAL_POSTGRES_IMAGE)) ||
    (await hasImage(docker, LOCAL_POSTGRES_IMAGE));
  const proxy =
    (await hasImage(docker, OFFICIAL_PROXY_IMAGE)) || (await hasImage(docker, LOCAL_PROXY_IMAGE));
  const mailSink =
    (await hasImage(docker, OFFICIAL_MAIL_SINK_IMAGE)) ||
    (await hasImage(docker, LOCAL_MAIL_SINK_IMAGE));
  if (!(await hasImage(docker, OFFICIAL_AIRFLOW_IMAGE)) || !postgres || !proxy || !mailSink) {
    missing.push(
      `the stack images (${OFFICIAL_AIRFLOW_IMAGE}, ${OFFICIAL_POSTGRES_IMAGE} or ${LOCAL_POSTGRES_IMAGE}, ${OFFICIAL_PROXY_IMAGE} or ${LOCAL_PROXY_IMAGE}, ${OFFICIAL_MAIL_SINK_IMAGE} or ${LOCAL_MAIL_SINK_IMAGE}): run bash scripts/build-stack-images.sh (scripts/setup.sh does)`,
    );
  }
  const ours = await docker.listContainers({
    filters: {
      label: [
        'com.docker.compose.project=airflow-ml',
        'com.docker.compose.service=airflow-apiserver',
      ],
    },
  });
  if (ours.length === 0 && !(await isPortFree(8080))) {
    missing.push('a free port 8080 for the api-server: stop what listens there');
  }
  if (missing.length > 0) {
    throw new Error(`the stack tests cannot run; missing:\n  - ${missing.join('\n  - ')}`);
  }
}

/**
 * The local stand-ins for the official images this engine does not have, as `up` records
 * them after finding no registry: tests set them up front so they never make the engine try
 * a registry (this machine has none, and tests talk to loopback only).
 */
export async function offlineImageValues(): Promise<Record<string, string>> {
  const docker = new Docker();
  const values: Record<string, string> = {};
  if (!(await hasImage(docker, OFFICIAL_POSTGRES_IMAGE)))
    values.POSTGRES_IMAGE = LOCAL_POSTGRES_IMAGE;
  if (!(await hasImage(docker, OFFICIAL_PROXY_IMAGE)))
    values.DOCKER_PROXY_IMAGE = LOCAL_PROXY_IMAGE;
  if (!(await hasImage(docker, OFFICIAL_MAIL_SINK_IMAGE)))
    values.MAIL_SINK_IMAGE = LOCAL_MAIL_SINK_IMAGE;
  if (!(await hasImage(docker, DEFAULT_BASE_IMAGE))) values[BASE_IMAGE_ENV] = LOCAL_NODE_BASE;
  // Read in Celery mode only (docker-compose.celery.yml).
  if (!(await hasImage(docker, BROKER_IMAGE.official)))
    values[BROKER_IMAGE.key] = BROKER_IMAGE.local;
  return values;
}

/**
 * A clean slate: no containers or database volume of the project, a fresh env file that
 * only names the data root, the offline images (above) and the given values (`up` must fill
 * in the rest), an empty data root. Values are written double-quoted, so any character
 * survives (`\"` and `\\` escaped).
 */
export async function resetStack(values: Record<string, string> = {}): Promise<void> {
  await down({ ...LOCATION, volumes: true, report: log });
  fs.rmSync(STACK_DIR, { recursive: true, force: true });
  fs.mkdirSync(STACK_DIR, { recursive: true });
  const lines = [`AIRFLOW_ML_DATA_ROOT=${DATA_ROOT}`];
  for (const [key, value] of Object.entries(await offlineImageValues())) {
    lines.push(`${key}=${value}`);
  }
  for (const [key, value] of Object.entries(values)) {
    lines.push(`${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  }
  fs.writeFileSync(ENV_FILE, `${lines.join('\n')}\n`, { mode: 0o600 });
}

/**
 * The end of a stack test file: the stack down and its database volume gone. The tests use
 * the same compose project as a user's `npx airflow-ml up` on this machine; a database left
 * behind would keep the tests' POSTGRES_PASSWORD, and the user's up could never log in.
 */
export async function downLeavingNoDatabase(): Promise<void> {
  await down({ ...LOCATION, volumes: true, report: log });
}

/** Reuse the test stack's env file when it exists (same secrets); else reset. */
export async function ensureStackEnv(): Promise<void> {
  if (!fs.existsSync(ENV_FILE)) await resetStack();
}

export function stackSettings(): Omit<StackSettings, 'written'> {
  return readStackSettings(ENV_FILE, {});
}

export function stackClient(): AirflowClient {
  const s = stackSettings();
  return new AirflowClient({ url: s.url, username: s.username, password: s.password });
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
