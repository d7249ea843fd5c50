import * as path from 'node:path';
import type Docker from 'dockerode';
import type { Env } from '../../base/env';
import {
  buildAll,
  BASE_IMAGE_ENV,
  DEFAULT_BASE_IMAGE,
  DEFAULT_PYTHON_BASE_IMAGE,
  LOCAL_PYTHON_BASE_IMAGE,
  PYTHON_BASE_IMAGE_ENV,
  type BuiltImage,
} from '../images';
import { hasImage, imageLabel, tryPull } from './engine';
import { StackCommandError } from './errors';
import { execFile } from './exec';
import { setStackEnvValue } from './settings';

/**
 * Which images the stack runs, and making sure they exist. With a registry, the official
 * images are used unchanged. Without one, scripts/build-stack-images.sh builds local
 * stand-ins (apache/airflow:3.3.2 under the official name; airflow-ml-local/postgres:15,
 * airflow-ml-local/haproxy:2.6 and airflow-ml-local/mail-sink:bookworm under honest ones,
 * recorded in the env file as POSTGRES_IMAGE, DOCKER_PROXY_IMAGE and MAIL_SINK_IMAGE), and
 * scripts/build-base-images.sh the node base for the step images. Both scripts reuse what
 * they built before.
 */

export const OFFICIAL_AIRFLOW_IMAGE = 'apache/airflow:3.3.2';
export const OFFICIAL_POSTGRES_IMAGE = 'postgres:16';
export const LOCAL_POSTGRES_IMAGE = 'airflow-ml-local/postgres:15';
/** The Docker socket proxy (docker/stack/socket-proxy/haproxy.cfg). */
export const OFFICIAL_PROXY_IMAGE = 'haproxy:3.2.6';
export const LOCAL_PROXY_IMAGE = 'airflow-ml-local/haproxy:2.6';
/** Where alerts go without SMTP_HOST (docker-compose.yml's mail-sink service). */
export const OFFICIAL_MAIL_SINK_IMAGE = 'axllent/mailpit:v1.34.0';
/** Not Mailpit: SMTP into files and the part of Mailpit's API the CLI reads. */
export const LOCAL_MAIL_SINK_IMAGE = 'airflow-ml-local/mail-sink:bookworm';
export const LOCAL_NODE_BASE = 'airflow-ml-local/node:bookworm';
/** Set by scripts/build-stack-images.sh on the images it builds. */
export const LOCAL_IMAGE_LABEL = 'org.airflow-ml.stack-inputs';

/**
 * The stack images with an offline stand-in, each named by its env key: the official image
 * unless the key names another, and the local one scripts/build-stack-images.sh builds.
 */
export const STAND_IN_IMAGES = [
  {
    key: 'POSTGRES_IMAGE',
    official: OFFICIAL_POSTGRES_IMAGE,
    local: LOCAL_POSTGRES_IMAGE,
    script: 'postgres',
  },
  {
    key: 'DOCKER_PROXY_IMAGE',
    official: OFFICIAL_PROXY_IMAGE,
    local: LOCAL_PROXY_IMAGE,
    script: 'proxy',
  },
  {
    key: 'MAIL_SINK_IMAGE',
    official: OFFICIAL_MAIL_SINK_IMAGE,
    local: LOCAL_MAIL_SINK_IMAGE,
    script: 'mail-sink',
  },
] as const;

/**
 * The Celery broker (docker-compose.celery.yml), needed only in Celery mode: the official
 * compose's redis:7.2-bookworm, or Debian bookworm's redis-server 7.0 offline.
 */
export const BROKER_IMAGE = {
  key: 'REDIS_IMAGE',
  official: 'redis:7.2-bookworm',
  local: 'airflow-ml-local/redis:7.0',
  script: 'redis',
} as const;

export interface StackImages {
  airflow: string;
  postgres: string;
  proxy: string;
  mailSink: string;
  /** Celery mode only. */
  broker?: string;
  /** Built here because no registry had them. */
  local: boolean;
}

export interface ImageOptions {
  docker: Docker;
  root: string;
  envFile: string;
  env: Env;
  report: (line: string) => void;
  /**
   * Records a stand-in chosen because no registry had the official image (POSTGRES_IMAGE=…),
   * so the next `up` does not try the registry again. `up` collects these and writes the env
   * file once; without it the value is added to the env file at once.
   */
  record?: (key: string, value: string) => void;
  /** Celery mode: the broker image too. */
  celery?: boolean;
}

function recorder(options: ImageOptions): (key: string, value: string) => void {
  return options.record ?? ((key, value) => void setStackEnvValue(options.envFile, key, value));
}

export async function ensureStackImages(options: ImageOptions): Promise<StackImages> {
  const { docker, env } = options;
  const airflow = env.AIRFLOW_IMAGE_NAME || OFFICIAL_AIRFLOW_IMAGE;
  const builds: string[] = [];

  // postgres and the proxy: the official image, or an honestly tagged local one recorded in
  // the env file the first time no registry has the official one.
  const standIn = async (
    key: string,
    official: string,
    local: string,
    script: string,
  ): Promise<string> => {
    const image = env[key] || official;
    if (image === local) builds.push(script);
    else if (!(await available(docker, image, options.report))) {
      if (image !== official) throw missingImage(image, key);
      options.report(`no registry has ${image}; using the local ${local}`);
      recorder(options)(key, local);
      builds.push(script);
      return local;
    }
    return image;
  };
  const chosen: string[] = [];
  for (const s of STAND_IN_IMAGES) chosen.push(await standIn(s.key, s.official, s.local, s.script));
  const [postgres, proxy, mailSink] = chosen;
  const b = BROKER_IMAGE;
  const broker = options.celery ? await standIn(b.key, b.official, b.local, b.script) : undefined;

  // Our stand-in carries a label; the official image does not, and is never rebuilt.
  if (await imageLabel(docker, airflow, LOCAL_IMAGE_LABEL)) builds.push('airflow');
  else if (!(await available(docker, airflow, options.report))) {
    if (airflow !== OFFICIAL_AIRFLOW_IMAGE) throw missingImage(airflow, 'AIRFLOW_IMAGE_NAME');
    options.report(`no registry has ${airflow}; building a local stand-in`);
    builds.push('airflow');
  }

  for (const which of builds) {
    await runScript(options, 'scripts/build-stack-images.sh', [which], {
      AIRFLOW_IMAGE_NAME: airflow,
    });
  }
  return {
    airflow,
    postgres,
    proxy,
    mailSink,
    ...(broker ? { broker } : {}),
    local: builds.length > 0,
  };
}

/** Build the step images the DAGs reference (content-tagged; a no-op when all exist). */
export async function ensureStepImages(options: ImageOptions): Promise<BuiltImage[]> {
  const { docker, env } = options;
  let base = env[BASE_IMAGE_ENV] || DEFAULT_BASE_IMAGE;
  if (base === LOCAL_NODE_BASE) {
    await runScript(options, 'scripts/build-base-images.sh', [], {});
  } else if (base === DEFAULT_BASE_IMAGE && !(await available(docker, base, options.report))) {
    options.report(`no registry has ${base}; using the local ${LOCAL_NODE_BASE}`);
    // Recorded like POSTGRES_IMAGE, so the next `up` does not try the registry again.
    recorder(options)(BASE_IMAGE_ENV, LOCAL_NODE_BASE);
    await runScript(options, 'scripts/build-base-images.sh', [], {});
    base = LOCAL_NODE_BASE;
  }
  // The Python steps' base (docker/steps/gbm-train): the same rule; the script builds both.
  const python = env[PYTHON_BASE_IMAGE_ENV] || DEFAULT_PYTHON_BASE_IMAGE;
  if (python === DEFAULT_PYTHON_BASE_IMAGE && !(await available(docker, python, options.report))) {
    options.report(`no registry has ${python}; using the local ${LOCAL_PYTHON_BASE_IMAGE}`);
    await runScript(options, 'scripts/build-base-images.sh', [], {});
  }
  const { results } = await buildAll({
    root: options.root,
    baseImage: base,
    docker,
    onEvent: (e) => {
      if (e.kind === 'start') options.report(`building ${e.image.tag} (${e.index}/${e.total})`);
    },
  });
  return results;
}

async function available(
  docker: Docker,
  image: string,
  report: (l: string) => void,
): Promise<boolean> {
  if (await hasImage(docker, image)) return true;
  report(`pulling ${image}`);
  return tryPull(docker, image);
}

async function runScript(
  options: ImageOptions,
  script: string,
  args: string[],
  extraEnv: Record<string, string>,
): Promise<void> {
  const res = await execFile('bash', [path.join(options.root, script), ...args], {
    cwd: options.root,
    env: { ...process.env, ...extraEnv },
    onLine: options.report,
  });
  if (res.code !== 0) {
    throw new StackCommandError(
      `${script} ${args.join(' ')} failed (exit ${res.code})`,
      'it needs root and Debian packages (debootstrap) the first time; see its output above',
    );
  }
}

function missingImage(image: string, key: string): StackCommandError {
  return new StackCommandError(
    `image ${image} (${key}) is not on this engine and cannot be pulled`,
    `pull or build it, or remove ${key} from the env file to use the default`,
  );
}
