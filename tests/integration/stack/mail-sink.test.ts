import * as http from 'node:http';
import Docker from 'dockerode';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { hasImage } from '../../../cli/ops/stack/engine';
import { LOCAL_MAIL_SINK_IMAGE } from '../../../cli/ops/stack/images';
import { runCliAsync } from '../support/cli';

/**
 * The offline mail sink (docker/stack/mail-sink) on its own, run as docker-compose.yml runs
 * the mail-sink service (uid 1025, read-only root, no capabilities, messages in a volume):
 * real SMTP in, then Mailpit's API v1 out with exactly Mailpit's field names (its
 * MessagesSummary, MessageSummary, Message and Attachment structs), newest first, at most
 * MP_MAX_MESSAGES kept, kept across a restart; and the built `alerts list` reading it.
 */

const docker = new Docker();
const SUFFIX = `${process.pid}`;
const NAME = `airflow-ml-mail-sink-test-${SUFFIX}`;
const VOLUME = `airflow-ml-mail-sink-test-${SUFFIX}`;

// Mailpit's JSON field names (API v1; server/apiv1 and internal/storage/structs.go).
const MESSAGES_SUMMARY_KEYS = [
  'count',
  'messages',
  'messages_count',
  'start',
  'tags',
  'total',
  'unread',
];
const MESSAGE_SUMMARY_KEYS = [
  'Attachments',
  'Bcc',
  'Cc',
  'Created',
  'From',
  'ID',
  'MessageID',
  'Read',
  'ReplyTo',
  'Size',
  'Snippet',
  'Subject',
  'Tags',
  'To',
  'Username',
];
const MESSAGE_KEYS = [
  'Attachments',
  'Bcc',
  'Cc',
  'Date',
  'From',
  'HTML',
  'ID',
  'Inline',
  'ListUnsubscribe',
  'MessageID',
  'ReplyTo',
  'ReturnPath',
  'Size',
  'Subject',
  'Tags',
  'Text',
  'To',
  'Username',
];
const ATTACHMENT_KEYS = ['Checksums', 'ContentID', 'ContentType', 'FileName', 'PartID', 'Size'];

let container: Docker.Container;
let api: string;
let smtpPort: number;

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${api}${path}`, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

async function getJson(path: string): Promise<Record<string, unknown>> {
  const res = await get(path);
  expect({ path, status: res.status }).toEqual({ path, status: 200 });
  return JSON.parse(res.body) as Record<string, unknown>;
}

async function ports(): Promise<void> {
  const info = await container.inspect();
  const bound = (p: string) => Number(info.NetworkSettings.Ports[p]?.[0]?.HostPort);
  api = `http://127.0.0.1:${bound('8025/tcp')}`;
  smtpPort = bound('1025/tcp');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await get('/readyz').catch(() => undefined);
    if (ready?.status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`the mail sink did not answer /readyz:\n${await logs()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function logs(): Promise<string> {
  return (await container.logs({ stdout: true, stderr: true })).toString('utf8');
}

async function send(message: SendMailOptions): Promise<void> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  try {
    await transport.sendMail({ from: 'airflow-ml@localhost', ...message });
  } finally {
    transport.close();
  }
}

beforeAll(async () => {
  if (!(await hasImage(docker, LOCAL_MAIL_SINK_IMAGE))) {
    throw new Error(
      `${LOCAL_MAIL_SINK_IMAGE} is missing: run bash scripts/build-stack-images.sh mail-sink (scripts/setup.sh does)`,
    );
  }
  container = await docker.createContainer({
    name: NAME,
    Image: LOCAL_MAIL_SINK_IMAGE,
    User: '1025:1025',
    Env: ['MP_DATABASE=/data/mailpit.db', 'MP_MAX_MESSAGES=3'],
    ExposedPorts: { '1025/tcp': {}, '8025/tcp': {} },
    HostConfig: {
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      Tmpfs: { '/tmp': '' },
      Mounts: [{ Type: 'volume', Source: VOLUME, Target: '/data' }],
      PortBindings: {
        '1025/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
        '8025/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
      },
    },
  });
  await container.start();
  await ports();
}, 60_000);

afterAll(async () => {
  await container?.remove({ force: true }).catch(() => undefined);
  await docker
    .getVolume(VOLUME)
    .remove()
    .catch(() => undefined);
}, 60_000);

test("receives over SMTP and answers with Mailpit's fields, newest first, the newest MP_MAX_MESSAGES kept", async () => {
  for (const n of [1, 2, 3]) {
    await send({ to: 'ml-alerts@example.com', subject: `alert ${n}`, html: `<p>first ${n}</p>` });
  }
  await send({
    to: 'Ops Team <ops@example.com>, ml-alerts@example.com',
    cc: 'lead@example.com',
    bcc: 'hidden@example.com',
    subject: '[airflow-ml] predict.predict failed for 2026-01-07',
    text: 'plain first line\nsecond',
    html: '<p>DAG <b>predict</b> failed &amp; stopped</p>',
    attachments: [{ filename: 'report.txt', content: 'abc', contentType: 'text/plain' }],
  });

  const list = await getJson('/api/v1/messages');
  expect(Object.keys(list).sort()).toEqual(MESSAGES_SUMMARY_KEYS);
  const messages = list.messages as Record<string, unknown>[];
  expect({ ...list, messages: messages.map((m) => m.Subject) }).toEqual({
    total: 3,
    unread: 3,
    count: 3,
    messages_count: 3,
    start: 0,
    tags: [],
    messages: ['[airflow-ml] predict.predict failed for 2026-01-07', 'alert 3', 'alert 2'],
  });
  for (const m of messages) expect(Object.keys(m).sort()).toEqual(MESSAGE_SUMMARY_KEYS);
  const [newest] = messages;
  expect(newest).toMatchObject({
    Read: false,
    From: { Name: '', Address: 'airflow-ml@localhost' },
    To: [
      { Name: 'Ops Team', Address: 'ops@example.com' },
      { Name: '', Address: 'ml-alerts@example.com' },
    ],
    Cc: [{ Name: '', Address: 'lead@example.com' }],
    Bcc: [{ Name: '', Address: 'hidden@example.com' }],
    ReplyTo: [],
    Username: '',
    Tags: [],
    Attachments: 1,
    Snippet: 'plain first line second',
  });
  expect(newest.ID).toMatch(/^[A-Za-z0-9]{22}$/);
  expect(newest.Created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
  expect(Math.abs(Date.parse(String(newest.Created)) - Date.now())).toBeLessThan(60_000);

  const one = await getJson(`/api/v1/message/${String(newest.ID)}`);
  expect(Object.keys(one).sort()).toEqual(MESSAGE_KEYS);
  expect(one).toMatchObject({
    ID: newest.ID,
    ReturnPath: 'airflow-ml@localhost',
    Subject: '[airflow-ml] predict.predict failed for 2026-01-07',
    Text: 'plain first line\nsecond',
    HTML: '<p>DAG <b>predict</b> failed &amp; stopped</p>',
    ListUnsubscribe: { Header: '', Links: [], Errors: '', HeaderPost: '' },
    Inline: [],
  });
  const attachments = one.Attachments as Record<string, unknown>[];
  expect(attachments.map((a) => Object.keys(a).sort())).toEqual([ATTACHMENT_KEYS]);
  expect(attachments[0]).toMatchObject({
    FileName: 'report.txt',
    ContentType: 'text/plain',
    Size: 3,
    Checksums: { MD5: '900150983cd24fb0d6963f7d28e17f72' },
  });
  expect((await getJson('/api/v1/message/latest')).ID).toBe(newest.ID);
  // A message with only HTML gets Text rendered from it.
  expect((await getJson(`/api/v1/message/${String(messages[1].ID)}`)).Text).toBe('first 3');
  expect(await get(`/api/v1/message/${'x'.repeat(22)}`)).toEqual({
    status: 404,
    body: '404 page not found\n',
  });
  expect((await getJson('/api/v1/messages?start=1&limit=1')).messages).toEqual([messages[1]]);
}, 60_000);

test('alerts list (the built CLI) reads it, and the messages survive a restart', async () => {
  await container.restart({ t: 5 });
  await ports();
  const port = new URL(api).port;
  const res = await runCliAsync(['alerts', 'list', '--json', '--limit', '2'], {
    AIRFLOW_ML_MAIL_PORT: port,
    SMTP_HOST: '',
  });
  expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
  const listed = (JSON.parse(res.stdout) as Record<string, unknown>[]).map(
    ({ id, time, ...rest }) => ({ id: typeof id, time: typeof time, ...rest }),
  );
  expect(listed).toEqual([
    {
      id: 'string',
      time: 'string',
      from: 'airflow-ml@localhost',
      to: ['ops@example.com', 'ml-alerts@example.com'],
      subject: '[airflow-ml] predict.predict failed for 2026-01-07',
      firstLine: 'DAG predict failed & stopped',
    },
    {
      id: 'string',
      time: 'string',
      from: 'airflow-ml@localhost',
      to: ['ml-alerts@example.com'],
      subject: 'alert 3',
      firstLine: 'first 3',
    },
  ]);
  // The volume holds them, written by the sink's own user.
  const info = await container.inspect();
  expect({ user: info.Config.User, readOnly: info.HostConfig.ReadonlyRootfs }).toEqual({
    user: '1025:1025',
    readOnly: true,
  });
}, 60_000);
