import * as fs from 'node:fs';
import type Docker from 'dockerode';
import { dockerClient } from '../docker-client';
import { NoEngineError } from './errors';

export const DOCKER_SOCKET = '/var/run/docker.sock';

/** A client for the engine, proven to answer. */
export async function requireEngine(given?: Docker): Promise<Docker> {
  const docker = given ?? (await dockerClient());
  try {
    await docker.ping();
    return docker;
  } catch (err) {
    throw new NoEngineError(
      `no Docker Engine answers (${(err as Error).message})`,
      'start Docker (on Debian as root: bash scripts/ensure-docker.sh) and check DOCKER_HOST',
    );
  }
}

/**
 * The group owning the engine's socket: the socket proxy (service docker-proxy) joins it
 * (group_add) so its unprivileged user can reach the engine on the scheduler's behalf. The
 * compose file mounts this path into the proxy only.
 */
export function dockerSocketGid(socket: string = DOCKER_SOCKET): number {
  try {
    return fs.statSync(socket).gid;
  } catch (err) {
    throw new NoEngineError(
      `the Docker socket ${socket} is missing (${(err as NodeJS.ErrnoException).code})`,
      'the stack mounts it into its Docker socket proxy for DockerOperator; run a local Docker Engine',
    );
  }
}

/** Whether an image with this name:tag exists on the engine. */
export async function hasImage(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

/** The value of a label on a local image, if the image exists and has it. */
export async function imageLabel(
  docker: Docker,
  name: string,
  label: string,
): Promise<string | undefined> {
  try {
    const info = await docker.getImage(name).inspect();
    return info.Config?.Labels?.[label] ?? undefined;
  } catch {
    return undefined;
  }
}

/** Whether a volume with this name exists on the engine. */
export async function hasVolume(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getVolume(name).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

/** Try to pull an image; false (not an error) when no registry can be reached. */
export async function tryPull(docker: Docker, name: string): Promise<boolean> {
  try {
    const stream = await docker.pull(name);
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
    );
    return true;
  } catch {
    return false;
  }
}
