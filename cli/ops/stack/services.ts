import type Docker from 'dockerode';

/** The compose services of docker-compose.yml that must end up running and healthy. */
export const LONG_RUNNING_SERVICES = [
  'postgres',
  'docker-proxy',
  'airflow-apiserver',
  'airflow-scheduler',
  'airflow-dag-processor',
  'airflow-triggerer',
  'mail-sink',
  'step-reaper',
] as const;
/** The one-shot setup service; it must exit 0. */
export const INIT_SERVICE = 'airflow-init';

export interface ServiceState {
  service: string;
  /** created, running, restarting, exited, dead, ... */
  status: string;
  /** healthy, unhealthy, starting, or 'none' without a healthcheck. */
  health: string;
  exitCode: number;
  restartCount: number;
}

/**
 * Every container of a compose project, found by the labels both compose v1 and v2 set,
 * with its state and health from `docker inspect`.
 */
export async function serviceStates(
  docker: Docker,
  project: string,
): Promise<Map<string, ServiceState>> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${project}`] },
  });
  const out = new Map<string, ServiceState>();
  for (const c of containers) {
    const service = c.Labels['com.docker.compose.service'];
    if (!service) continue;
    const info = await docker.getContainer(c.Id).inspect();
    out.set(service, {
      service,
      status: info.State.Status,
      health: info.State.Health?.Status ?? 'none',
      exitCode: info.State.ExitCode,
      restartCount: info.RestartCount,
    });
  }
  return out;
}

/** Why a service is not (yet) fine: undefined when it is, 'waiting' when it may still be. */
export function verdict(
  service: string,
  state: ServiceState | undefined,
): { ok: true } | { ok: false; final: boolean; why: string } {
  if (!state) return { ok: false, final: false, why: 'not created' };
  if (service === INIT_SERVICE) {
    if (state.status === 'exited') {
      return state.exitCode === 0
        ? { ok: true }
        : { ok: false, final: true, why: `exited with code ${state.exitCode}` };
    }
    return { ok: false, final: false, why: state.status };
  }
  if (state.health === 'unhealthy') return { ok: false, final: true, why: 'unhealthy' };
  if (state.status === 'exited' || state.status === 'dead') {
    return { ok: false, final: true, why: `${state.status} (code ${state.exitCode})` };
  }
  // `restart: always` hides crashes behind restarts: a container waiting for its next restart
  // after two is in a crash loop. Restarts long past (a scheduler killed last week, a daemon
  // restart) are not held against a service that runs now.
  if (state.status === 'restarting' && state.restartCount >= 2) {
    return { ok: false, final: true, why: `restarting (${state.restartCount} restarts)` };
  }
  if (state.status === 'running' && state.health === 'healthy') return { ok: true };
  return { ok: false, final: false, why: `${state.status}, health ${state.health}` };
}

/** One container of a scaled service (Celery workers), as `status` shows it. */
export interface ContainerState extends ServiceState {
  /** The container's name (airflow-ml_airflow-worker_2, or -2 with compose v2). */
  name: string;
  /** Its hostname: what task instances it ran record as their `hostname`. */
  hostname: string;
  /** The queues it serves, from its command (`--queues a,b`); ['default'] without one. */
  queues: string[];
}

/** Every container of one compose service, ordered by name, with state and hostname. */
export async function containerStates(
  docker: Docker,
  project: string,
  service: string,
): Promise<ContainerState[]> {
  const containers = await docker.listContainers({
    all: true,
    filters: {
      label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`],
    },
  });
  const out: ContainerState[] = [];
  for (const c of containers) {
    const info = await docker.getContainer(c.Id).inspect();
    const cmd = info.Config.Cmd ?? [];
    const q = cmd.indexOf('--queues');
    out.push({
      service,
      name: info.Name.replace(/^\//, ''),
      hostname: info.Config.Hostname,
      queues: q >= 0 && cmd[q + 1] ? cmd[q + 1].split(',') : ['default'],
      status: info.State.Status,
      health: info.State.Health?.Status ?? 'none',
      exitCode: info.State.ExitCode,
      restartCount: info.RestartCount,
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
