import * as net from 'node:net';
import * as os from 'node:os';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { STACK_PROJECT_NAME } from '../../../cli/ops/stack/settings';

/** Helpers for the stack test's security checks: containers, exec, addresses, leak scans. */

const docker = new Docker();

export interface ProjectContainer {
  id: string;
  service: string;
  info: Docker.ContainerInspectInfo;
}

/** Every container of the compose project (running or not), inspected. */
export async function projectContainers(): Promise<ProjectContainer[]> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${STACK_PROJECT_NAME}`] },
  });
  return Promise.all(
    list.map(async (c) => ({
      id: c.Id,
      service: c.Labels['com.docker.compose.service'] ?? '?',
      info: await docker.getContainer(c.Id).inspect(),
    })),
  );
}

export async function containerOf(service: string): Promise<ProjectContainer> {
  const found = (await projectContainers()).find((c) => c.service === service);
  if (!found) throw new Error(`no container for service ${service}`);
  return found;
}

/** Run a command (argv, no shell) in a running container; its exit code and output. */
export async function execIn(
  containerId: string,
  cmd: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const exec = await docker.getContainer(containerId).exec({
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  err.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  docker.modem.demuxStream(stream, out, err);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  const info = await exec.inspect();
  return { code: info.ExitCode ?? -1, stdout, stderr };
}

/**
 * Every place a secret value occurs among the string values of `value` (deeply), so JSON
 * escaping in a serialised form can never hide a match. Returns "path" strings.
 */
export function findSecrets(value: unknown, secrets: Record<string, string>): string[] {
  const hits: string[] = [];
  const walk = (v: unknown, at: string) => {
    if (typeof v === 'string') {
      for (const [name, secret] of Object.entries(secrets)) {
        if (secret && v.includes(secret)) hits.push(`${name} in ${at}`);
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        // A key could hold a secret too (labels, env maps).
        walk(k, `${at}.<key>`);
        walk(x, `${at}.${k}`);
      }
    }
  };
  walk(value, '$');
  return hits;
}

/**
 * A non-loopback IPv4 address of this machine: a physical interface if there is one, else a
 * bridge (docker0 and friends are this host's addresses too).
 */
export function nonLoopbackIPv4(): string {
  const all = Object.entries(os.networkInterfaces()).flatMap(([name, addrs]) =>
    (addrs ?? [])
      .filter((a) => a.family === 'IPv4' && !a.internal)
      .map((a) => ({ name, address: a.address })),
  );
  const physical = all.filter((a) => !/^(docker|br-|veth|virbr|cni|flannel)/.test(a.name));
  const pick = physical[0] ?? all[0];
  if (!pick) throw new Error('this machine has no non-loopback IPv4 address to test with');
  return pick.address;
}

/** Try a TCP connection: 'connected', or the error code (ECONNREFUSED, ETIMEDOUT, ...). */
export function tryConnect(host: string, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: string) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done('ETIMEDOUT'));
    socket.once('connect', () => done('connected'));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}
