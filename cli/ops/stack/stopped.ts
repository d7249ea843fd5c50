import type Docker from 'dockerode';
import { dockerClient } from '../docker-client';
import { CheckFailedError } from '../../base/errors';
import { LONG_RUNNING_SERVICES, serviceStates } from './services';
import { STACK_PROJECT_NAME } from './settings';
import { stackWorkers } from './workers';

/** The service whose published port the stack's Airflow URL names. */
const API_SERVICE = 'airflow-apiserver';

/** A host name that is this machine: localhost, 127.0.0.0/8, ::1, 0.0.0.0. */
function isLoopback(host: string): boolean {
  return (
    ['localhost', '[::1]', '::1', '0.0.0.0'].includes(host) || /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}

/**
 * Whether `url` reaches this machine's stack: a loopback host and the host port the stack's
 * api-server publishes (read from its container, running or stopped), or, when that
 * container is gone but the stack's others are here, the port the env file configures
 * (`configuredPort`, AIRFLOW_PORT). An Airflow elsewhere (another host, or another port) is
 * not this stack, and status must not report on it.
 */
export async function urlIsLocalStack(
  url: string,
  options: { docker?: Docker; project?: string; configuredPort?: string } = {},
): Promise<boolean> {
  const project = options.project ?? STACK_PROJECT_NAME;
  const u = new URL(url);
  if (!isLoopback(u.hostname)) return false;
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  try {
    const engine = options.docker ?? (await dockerClient());
    const ofProject = await engine.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${project}`] },
    });
    const api = ofProject.filter((c) => c.Labels['com.docker.compose.service'] === API_SERVICE);
    if (api.length === 0) return ofProject.length > 0 && port === options.configuredPort;
    for (const c of api) {
      const info = await engine.getContainer(c.Id).inspect();
      const bindings = Object.values(info.HostConfig.PortBindings ?? {}).flat();
      if (bindings.some((b) => (b as { HostPort?: string } | null)?.HostPort === port)) return true;
    }
    return false;
  } catch {
    return false; // no engine here: nothing local to report on
  }
}

/** A long-running service of the local stack that is not running, and what it is instead. */
export interface StoppedService {
  service: string;
  state: string;
}

/**
 * The local stack's long-running services that are not running. Docker restarts a crashed
 * service by itself (`restart: always`), but not one that was stopped or `docker kill`ed,
 * and nothing else says so: a stopped scheduler only shows as a stale heartbeat. Empty when
 * every service runs, and also when this machine has no engine or no stack of this project
 * (status then reports on the Airflow it reaches over HTTP alone).
 */
export async function stoppedStackServices(
  docker?: Docker,
  project: string = STACK_PROJECT_NAME,
): Promise<StoppedService[]> {
  let states;
  try {
    states = await serviceStates(docker ?? (await dockerClient()), project);
  } catch {
    return [];
  }
  if (states.size === 0) return [];
  const stopped: StoppedService[] = [];
  for (const service of LONG_RUNNING_SERVICES) {
    const state = states.get(service);
    if (!state) stopped.push({ service, state: 'not created' });
    else if (state.status !== 'running') {
      const code = state.status === 'exited' ? ` (code ${state.exitCode})` : '';
      stopped.push({ service, state: `${state.status}${code}` });
    }
  }
  // Celery workers: each container that exists must run (a scaled-down one is removed).
  for (const w of await stackWorkers(docker, project)) {
    if (w.status !== 'running') stopped.push({ service: w.name, state: w.status });
  }
  return stopped;
}

/** The one command that brings them back: `up` starts what is stopped and keeps what runs. */
export function stoppedServicesError(stopped: StoppedService[]): CheckFailedError {
  return new CheckFailedError(
    `the stack has stopped services: ${stopped.map((s) => `${s.service} ${s.state}`).join(', ')}`,
    'run `npx airflow-ml up`: it starts what is stopped and leaves what runs alone',
  );
}
