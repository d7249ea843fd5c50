import * as fs from 'node:fs';
import { writeFileAtomic } from '../../base/atomic-write';
import { readDotenvFile } from '../../base/dotenv';
import type { Env } from '../../base/env';
import { UsageError } from '../../base/errors';
import { QUEUE_NAME_PATTERN } from '../../compiler/spec/schema';
import { setEnvValue } from '../fernet/env-file';

/**
 * Which executor the local stack runs (issue 17): LocalExecutor (the default: the scheduler
 * runs the tasks) or CeleryExecutor (docker-compose.celery.yml: a Redis broker and Celery
 * workers, scaled by `up --workers N`, plus one worker for named queues with `--queues`).
 * The choice lives in the env file, so `down`, `status` and a plain `up` keep using it.
 */

export const EXECUTOR_ENV = 'AIRFLOW_ML_EXECUTOR';
export const WORKERS_ENV = 'AIRFLOW_ML_WORKERS';
/** Read by docker-compose.yml: the queue worker's `--queues`. */
export const QUEUES_ENV = 'AIRFLOW_ML_WORKER_QUEUES';
export const CELERY_OVERLAY = 'docker-compose.celery.yml';
/** The compose services of Celery mode, with the profiles that start them. */
export const WORKER_SERVICE = 'airflow-worker';
export const QUEUE_WORKER_SERVICE = 'airflow-queue-worker';
export const BROKER_SERVICE = 'redis';
/** Enough for a 2-core machine several times over; each worker is a few hundred MB. */
export const MAX_WORKERS = 16;

export type ExecutorName = 'local' | 'celery';

export interface ExecutorChoice {
  executor: ExecutorName;
  /** Default-queue workers (Celery only). */
  workers: number;
  /** Queues served by the one queue worker (Celery only); empty: no queue worker. */
  queues: string[];
}

export const LOCAL: ExecutorChoice = { executor: 'local', workers: 0, queues: [] };

/** The flags of `up` that choose it; all optional: the env file keeps the last choice. */
export interface ExecutorFlags {
  executor?: string;
  workers?: string;
  queues?: string;
}

/** The choice recorded in the env (the env file under the process environment). */
export function recordedExecutor(env: Env): ExecutorChoice {
  if (env[EXECUTOR_ENV] !== 'celery') return LOCAL;
  return {
    executor: 'celery',
    workers: parseWorkers(WORKERS_ENV, env[WORKERS_ENV] ?? '1'),
    queues: parseQueues(QUEUES_ENV, env[QUEUES_ENV] ?? ''),
  };
}

/**
 * The flags over what the env file recorded: `--executor celery` alone keeps the recorded
 * worker count and queues (1 and none at first); `--workers`/`--queues` need Celery mode.
 */
export function chooseExecutor(flags: ExecutorFlags, env: Env): ExecutorChoice {
  const recorded = recordedExecutor(env);
  const executor = flags.executor ?? recorded.executor;
  if (executor !== 'local' && executor !== 'celery') {
    throw new UsageError(`--executor must be local or celery, not "${executor}"`);
  }
  if (executor === 'local') {
    for (const flag of ['workers', 'queues'] as const) {
      if (flags[flag] !== undefined) {
        throw new UsageError(
          `--${flag} needs Celery mode: the LocalExecutor runs every task in the scheduler`,
          'add --executor celery',
        );
      }
    }
    return LOCAL;
  }
  const previous = recorded.executor === 'celery' ? recorded : { workers: 1, queues: [] };
  return {
    executor,
    workers:
      flags.workers === undefined ? previous.workers : parseWorkers('--workers', flags.workers),
    queues: flags.queues === undefined ? previous.queues : parseQueues('--queues', flags.queues),
  };
}

function parseWorkers(what: string, raw: string): number {
  const n = Number(raw);
  if (!/^[0-9]+$/.test(raw.trim()) || n < 1 || n > MAX_WORKERS) {
    throw new UsageError(`${what} must be a whole number from 1 to ${MAX_WORKERS}, not "${raw}"`);
  }
  return n;
}

/** `heavy,gpu` -> ['heavy', 'gpu']; each name as the spec's `queue` takes it. */
function parseQueues(what: string, raw: string): string[] {
  const names = raw
    .split(',')
    .map((q) => q.trim())
    .filter((q) => q !== '');
  const bad = names.find((q) => !new RegExp(QUEUE_NAME_PATTERN).test(q));
  if (bad !== undefined) {
    throw new UsageError(
      `${what}: "${bad}" is not a queue name (a lower-case letter, then up to 63 lower-case letters, digits, "-" or "_")`,
      'name the queues as the specs do, comma-separated: --queues heavy,gpu',
    );
  }
  if (names.includes('default')) {
    throw new UsageError(
      `${what}: "default" is the default workers' queue`,
      'name only extra queues; --workers N sets the default workers',
    );
  }
  return [...new Set(names)];
}

/** The env file values that record `choice` (written by `up`, read by every later command). */
export function executorEnvValues(choice: ExecutorChoice): [string, string][] {
  return [
    [EXECUTOR_ENV, choice.executor],
    [WORKERS_ENV, String(choice.workers)],
    [QUEUES_ENV, choice.queues.join(',')],
  ];
}

/** Write the choice into the env file (mode 0600), replacing what it recorded before. */
export function recordExecutor(envFile: string, choice: ExecutorChoice): void {
  let text = fs.existsSync(envFile) ? fs.readFileSync(envFile, 'utf8') : '';
  const before = text;
  for (const [key, value] of executorEnvValues(choice)) {
    // A local choice over a file that never named one leaves the file alone.
    if (choice.executor === 'local' && !readDotenvFile(envFile).has(key)) continue;
    text = setEnvValue(text, key, value).text;
  }
  if (text !== before) writeFileAtomic(envFile, text, 0o600);
}

/** The compose files and profiles of the choice (relative to the project root). */
export function composeLayout(choice: ExecutorChoice): { files: string[]; profiles: string[] } {
  if (choice.executor === 'local') return { files: ['docker-compose.yml'], profiles: [] };
  return {
    files: ['docker-compose.yml', CELERY_OVERLAY],
    profiles: choice.queues.length > 0 ? ['celery', 'celery-queues'] : ['celery'],
  };
}

/** `compose up`'s scaling arguments: N default workers, the queue worker when queues are set. */
export function scaleArgs(choice: ExecutorChoice): string[] {
  if (choice.executor === 'local') return [];
  return [
    '--scale',
    `${WORKER_SERVICE}=${choice.workers}`,
    '--scale',
    `${QUEUE_WORKER_SERVICE}=${choice.queues.length > 0 ? 1 : 0}`,
  ];
}

/** The long-running services Celery mode adds, each with how many containers it must have. */
export function celeryServices(choice: ExecutorChoice): [service: string, count: number][] {
  if (choice.executor === 'local') return [];
  return [
    [BROKER_SERVICE, 1],
    [WORKER_SERVICE, choice.workers],
    ...(choice.queues.length > 0 ? [[QUEUE_WORKER_SERVICE, 1] as [string, number]] : []),
  ];
}

/**
 * The worker services this choice runs. Compose leaves the containers of a service whose
 * profile it was not given running (they are not orphans to it), so `up` removes the others.
 */
export function wantedWorkerServices(choice: ExecutorChoice): string[] {
  if (choice.executor === 'local') return [];
  return [WORKER_SERVICE, ...(choice.queues.length > 0 ? [QUEUE_WORKER_SERVICE] : [])];
}

/** Airflow's queue for a task that names none ([operators] default_queue). */
export const DEFAULT_QUEUE = 'default';

export interface QueuedTask {
  dagId: string;
  taskId: string;
  queue?: string;
}

/**
 * The tasks whose queue no worker of this choice serves: their task instances would wait in
 * the queue forever. None under LocalExecutor, which ignores queues.
 */
export function unservedQueues(
  choice: ExecutorChoice,
  tasks: QueuedTask[],
): Required<QueuedTask>[] {
  if (choice.executor === 'local') return [];
  const served = new Set([...(choice.workers > 0 ? [DEFAULT_QUEUE] : []), ...choice.queues]);
  return tasks
    .map((t) => ({ ...t, queue: t.queue ?? DEFAULT_QUEUE }))
    .filter((t) => !served.has(t.queue));
}

/** The warning for an unserved queue, with the `up` flags that would serve them all. */
export function describeUnserved(
  choice: ExecutorChoice,
  unserved: Required<QueuedTask>[],
): string[] {
  const queues = [...new Set([...choice.queues, ...unserved.map((t) => t.queue)])].join(',');
  return unserved.map(
    (t) =>
      `warning: no worker serves queue "${t.queue}" of ${t.dagId}.${t.taskId}: its task instances would stay queued (serve it: up --executor celery --queues ${queues})`,
  );
}

/** One line for `up` and `status`: "executor: celery, 2 workers (default) + 1 (heavy)". */
export function describeExecutor(choice: ExecutorChoice): string {
  if (choice.executor === 'local') return 'executor: local (the scheduler runs the tasks)';
  const queues = choice.queues.length > 0 ? ` + 1 worker (${choice.queues.join(', ')})` : '';
  return `executor: celery, ${choice.workers} worker${choice.workers === 1 ? '' : 's'} (default queue)${queues}`;
}
