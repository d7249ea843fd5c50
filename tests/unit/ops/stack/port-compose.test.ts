import * as net from 'node:net';
import type Docker from 'dockerode';
import { detectCompose } from '../../../../cli/ops/stack/compose';
import { NoComposeError, PortBusyError } from '../../../../cli/ops/stack/errors';
import { isPortFree, requirePort } from '../../../../cli/ops/stack/port';

function fakeDocker(containers: unknown[]): Docker {
  return { listContainers: () => Promise.resolve(containers) } as unknown as Docker;
}

describe('port check', () => {
  let server: net.Server;
  let port: number;
  beforeAll(async () => {
    server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sees a busy port and names it in a typed error', async () => {
    expect(await isPortFree(port)).toBe(false);
    const err = await requirePort(fakeDocker([]), 'airflow-ml', port).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortBusyError);
    expect((err as PortBusyError).message).toContain(`port ${port} is already in use`);
    expect((err as PortBusyError).hint).toContain('AIRFLOW_PORT');
  });

  it("accepts the port when this project's api-server holds it", async () => {
    const ours = [{ Ports: [{ PublicPort: port }] }];
    await expect(requirePort(fakeDocker(ours), 'airflow-ml', port)).resolves.toBeUndefined();
  });
});

describe('compose detection', () => {
  it('fails with a typed error naming both commands when neither exists', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const err = await detectCompose().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NoComposeError);
      expect((err as Error).message).toContain('docker compose');
      expect((err as Error).message).toContain('docker-compose');
    } finally {
      process.env.PATH = path;
    }
  });
});
