import * as net from 'node:net';
import type Docker from 'dockerode';
import { PortBusyError } from './errors';

/** True when nothing listens on `port` on any IPv4 address. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** A published port: which service publishes it and the env file keys that move it. */
export interface PublishedPort {
  service: string;
  what: string;
  keys: string;
}

export const API_SERVER_PORT: PublishedPort = {
  service: 'airflow-apiserver',
  what: 'the Airflow api-server',
  keys: 'AIRFLOW_PORT and AIRFLOW_URL',
};

export const MAIL_SINK_PORT: PublishedPort = {
  service: 'mail-sink',
  what: "the mail sink's API",
  keys: 'AIRFLOW_ML_MAIL_PORT',
};

/**
 * A service's host port must be free, unless this project's service already holds it (a
 * second `up` on a running stack).
 */
export async function requirePort(
  docker: Docker,
  project: string,
  port: number,
  published: PublishedPort = API_SERVER_PORT,
): Promise<void> {
  if (await isPortFree(port)) return;
  const ours = await docker.listContainers({
    filters: {
      label: [
        `com.docker.compose.project=${project}`,
        `com.docker.compose.service=${published.service}`,
      ],
    },
  });
  if (ours.some((c) => c.Ports.some((p) => p.PublicPort === port))) return;
  throw new PortBusyError(
    port,
    `port ${port} is already in use, so ${published.what} cannot publish it`,
    `stop what listens there (ss -ltnp 'sport = :${port}'), or set ${published.keys} in the env file to another port`,
  );
}
