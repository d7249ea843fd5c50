import type Docker from 'dockerode';

/**
 * A Docker Engine client from DOCKER_HOST or the default socket. dockerode (with ssh2 behind
 * it) is loaded only here, on first use, so commands that never talk to Docker start fast.
 */
export async function dockerClient(): Promise<Docker> {
  const { default: DockerClient } = await import('dockerode');
  return new DockerClient();
}
