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

/**
 * The api-server's host port must be free, unless this project's api-server already holds it
 * (a second `up` on a running stack).
 */
export async function requirePort(docker: Docker, project: string, port: number): Promise<void> {
  if (await isPortFree(port)) return;
  const ours = await docker.listContainers({
    filters: {
      label: [
        `com.docker.compose.project=${project}`,
        'com.docker.compose.service=airflow-apiserver',
      ],
    },
  });
  if (ours.some((c) => c.Ports.some((p) => p.PublicPort === port))) return;
  throw new PortBusyError(
    port,
    `port ${port} is already in use, so the Airflow api-server cannot publish it`,
    `stop what listens there (ss -ltnp 'sport = :${port}'), or set AIRFLOW_PORT and AIRFLOW_URL in the env file to another port`,
  );
}
