import Docker from 'dockerode';
import { urlIsLocalStack } from '../../cli/ops/stack/stopped';
import { NODE_BASE } from './support/cli';

/**
 * `status` reports on the local stack's containers only when its Airflow URL is that stack:
 * a loopback host and the port the stack's api-server publishes (read from the container's
 * own port bindings, so a stopped api-server counts too). A real container stands for the
 * api-server of a stack of its own project; it is created, never started.
 */
const docker = new Docker();
const PROJECT = `afml-status-${process.pid}`;
let container: Docker.Container;

beforeAll(async () => {
  container = await docker.createContainer({
    Image: NODE_BASE,
    Cmd: ['true'],
    Labels: {
      'com.docker.compose.project': PROJECT,
      'com.docker.compose.service': 'airflow-apiserver',
    },
    ExposedPorts: { '8080/tcp': {} },
    HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '18089' }] } },
  });
}, 60_000);

afterAll(async () => {
  await container.remove({ force: true });
});

test.each([
  ['http://localhost:18089', true],
  ['http://127.0.0.1:18089/', true],
  ['http://[::1]:18089', true],
  ['http://localhost:18090', false],
  ['http://airflow.example.com:18089', false],
  ['http://10.1.2.3:18089', false],
  ['http://127.0.1.1:18089', true],
  ['http://localhost', false],
])('%s is the local stack: %s', async (url, expected) => {
  expect(await urlIsLocalStack(url, { docker, project: PROJECT })).toBe(expected);
});

test('no stack of that project on this engine: nothing is local', async () => {
  const none = { docker, project: `${PROJECT}-none`, configuredPort: '18089' };
  expect(await urlIsLocalStack('http://localhost:18089', none)).toBe(false);
});

test("the api-server's container gone, the stack's others here: its configured port counts", async () => {
  const other = await docker.createContainer({
    Image: NODE_BASE,
    Cmd: ['true'],
    Labels: {
      'com.docker.compose.project': `${PROJECT}-noapi`,
      'com.docker.compose.service': 'airflow-scheduler',
    },
  });
  try {
    const stack = { docker, project: `${PROJECT}-noapi`, configuredPort: '18091' };
    expect(await urlIsLocalStack('http://localhost:18091', stack)).toBe(true);
    expect(await urlIsLocalStack('http://localhost:18092', stack)).toBe(false);
  } finally {
    await other.remove({ force: true });
  }
});
