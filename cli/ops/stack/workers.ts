import type Docker from 'dockerode';
import { dockerClient } from '../docker-client';
import { QUEUE_WORKER_SERVICE, WORKER_SERVICE } from './executor';
import { containerStates, type ContainerState } from './services';
import { STACK_PROJECT_NAME } from './settings';

/**
 * The local stack's Celery workers (default-queue workers first, then the queue worker), each
 * with its hostname, which task instances record: `status` lists them. Empty in LocalExecutor
 * mode, and when this machine has no engine (status then reports over HTTP alone).
 */
export async function stackWorkers(
  docker?: Docker,
  project: string = STACK_PROJECT_NAME,
): Promise<ContainerState[]> {
  try {
    const engine = docker ?? (await dockerClient());
    const workers: ContainerState[] = [];
    for (const service of [WORKER_SERVICE, QUEUE_WORKER_SERVICE]) {
      workers.push(...(await containerStates(engine, project, service)));
    }
    return workers;
  } catch {
    return [];
  }
}

/** Stops and removes these worker containers (by name), if they are still there. */
export async function removeWorkerContainers(docker: Docker, names: string[]): Promise<void> {
  for (const name of names) {
    await docker
      .getContainer(name)
      .remove({ force: true })
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 404) throw err; // gone already: what we wanted
      });
  }
}

/** `status`'s worker table rows: container, hostname, queues, state. */
export function workerRows(workers: ContainerState[]): string[][] {
  return workers.map((w) => [
    w.name,
    w.hostname,
    w.queues.join(','),
    w.health === 'none' ? w.status : `${w.status} (${w.health})`,
  ]);
}

export const WORKER_COLUMNS = ['WORKER', 'HOSTNAME', 'QUEUES', 'STATE'];
