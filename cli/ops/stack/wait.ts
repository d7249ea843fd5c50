import type Docker from 'dockerode';
import { AirflowClient } from '../airflow/client';
import { getAirflowStatus, type AirflowStatus } from '../airflow/health';
import { serviceLogTail, type ComposeProject } from './compose';
import { UnhealthyServiceError } from './errors';
import {
  containerStates,
  INIT_SERVICE,
  LONG_RUNNING_SERVICES,
  serviceStates,
  verdict,
} from './services';

export interface WaitOptions {
  timeoutMs: number;
  pollMs?: number;
  report?: (line: string) => void;
  /** Scaled services (Celery mode: redis, the workers), each with the containers it must have. */
  scaled?: [service: string, count: number][];
}

const HINT =
  'fix the cause shown in the log, then run `airflow-ml up` again (data is kept); ' +
  'full log: docker compose logs SERVICE (or docker-compose logs SERVICE)';

/**
 * Postgres keeps the password it was created with in its volume: an env file with another
 * POSTGRES_PASSWORD (a new .env, or one from another checkout of the same compose project)
 * can never log in, and the log alone does not say why.
 */
const PASSWORD_MISMATCH_HINT =
  "Airflow's database volume (airflow-ml_postgres-db-volume) was created with another " +
  'POSTGRES_PASSWORD than the one in your .env: put back the .env that created it, or run ' +
  "`npx airflow-ml down --volumes` to delete Airflow's database and start over (the data " +
  'root is kept)';

async function unhealthy(
  project: ComposeProject,
  service: string,
  why: string,
): Promise<UnhealthyServiceError> {
  const tail = await serviceLogTail(project, service);
  return new UnhealthyServiceError(service, why, tail, hintFor(tail));
}

/** What to do about a service that failed, from its last log lines. */
export function hintFor(logTail: string): string {
  return /password authentication failed for user/.test(logTail) ? PASSWORD_MISMATCH_HINT : HINT;
}

/** Throw UnhealthyServiceError for the first service that has failed for good, if any. */
export async function failIfAnyServiceFailed(
  docker: Docker,
  project: ComposeProject,
): Promise<void> {
  const states = await serviceStates(docker, project.name);
  for (const service of [INIT_SERVICE, ...LONG_RUNNING_SERVICES]) {
    const v = verdict(service, states.get(service));
    if (!v.ok && v.final) {
      throw await unhealthy(project, service, v.why);
    }
  }
}

/**
 * Wait until airflow-init has exited 0 and every long-running service reports healthy.
 * Stops at the first failure that cannot heal (an exit, "unhealthy", a crash loop).
 */
export async function waitForServices(
  docker: Docker,
  project: ComposeProject,
  options: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    const states = await serviceStates(docker, project.name);
    const pending: string[] = [];
    for (const service of [INIT_SERVICE, ...LONG_RUNNING_SERVICES]) {
      const v = verdict(service, states.get(service));
      if (v.ok) continue;
      if (v.final) {
        throw await unhealthy(project, service, v.why);
      }
      pending.push(`${service}: ${v.why}`);
    }
    for (const [service, count] of options.scaled ?? []) {
      const containers = await containerStates(docker, project.name, service);
      if (containers.length < count)
        pending.push(`${service}: ${containers.length} of ${count} created`);
      for (const c of containers) {
        const v = verdict(service, c);
        if (v.ok) continue;
        if (v.final) throw await unhealthy(project, service, `${c.name} ${v.why}`);
        pending.push(`${service}: ${c.name} ${v.why}`);
      }
    }
    if (pending.length === 0) return;
    const line = `waiting for ${pending.join('; ')}`;
    if (line !== last) options.report?.(line);
    last = line;
    if (Date.now() > deadline) {
      const service = pending[0].split(':')[0];
      throw await unhealthy(
        project,
        service,
        `not healthy after ${Math.round(options.timeoutMs / 1000)} s (${pending[0].slice(service.length + 2)})`,
      );
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 2000));
  }
}

const COMPONENT_SERVICE: Record<string, string> = {
  metadatabase: 'postgres',
  scheduler: 'airflow-scheduler',
  'dag-processor': 'airflow-dag-processor',
  triggerer: 'airflow-triggerer',
};

/** Wait until /api/v2/monitor/health reports every component healthy. */
export async function waitForApiHealth(
  url: string,
  project: ComposeProject,
  options: WaitOptions,
): Promise<AirflowStatus> {
  const client = new AirflowClient({ url, username: '', password: '', timeoutMs: 10_000 });
  const deadline = Date.now() + options.timeoutMs;
  let status: AirflowStatus | undefined;
  let lastError = '';
  for (;;) {
    try {
      status = await getAirflowStatus(client);
      if (status.healthy) return status;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) {
      const bad = status?.components.find((c) => c.status !== 'healthy');
      const service = bad
        ? (COMPONENT_SERVICE[bad.name] ?? 'airflow-apiserver')
        : 'airflow-apiserver';
      const why = bad
        ? `reported "${bad.status}" by ${url}/api/v2/monitor/health`
        : `not answering ${url}/api/v2/monitor/health (${lastError})`;
      throw await unhealthy(project, service, why);
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 2000));
  }
}
