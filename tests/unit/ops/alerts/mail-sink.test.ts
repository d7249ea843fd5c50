import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  alertPath,
  checkAlertPath,
  describeAlertPath,
  requireMailSink,
} from '../../../../cli/ops/alerts/alert-path';
import { htmlFirstLine, htmlToText } from '../../../../cli/ops/alerts/html-text';
import {
  listReceivedAlerts,
  mailSinkPort,
  mailSinkUrl,
  parseMessage,
  parseMessagesSummary,
} from '../../../../cli/ops/alerts/mail-sink';
import { AirflowMlError, ExitCode } from '../../../../cli/base/errors';

/**
 * The mail sink client: Mailpit's JSON (field names and shapes from its API v1 docs:
 * MessagesSummary and Message, Go's `null` for empty lists) parsed into what `alerts list`
 * shows, the errors that name the field or say what to do, and the alert path lines.
 */

const ALERT_HTML =
  '<p>DAG <b>predict</b>, task <b>predict</b> failed for logical date <b>2026-01-06</b>' +
  ' (run manual__2026-01-06T00:00:00+00:00, try 1).</p>' +
  '<p>Error: <code>predict exited 3: predict: error: /data/raw/2026-01-06/data.csv:4:1: column &#34;age&#34;: &#34;forty&#34; is not a number</code></p>' +
  '<p>Log: <a href="http://localhost:8080/log?x=1&amp;y=2">http://localhost:8080/log?x=1&amp;y=2</a></p>\r\n';

function summary(
  id: string,
  created: string,
  subject: string,
  to: unknown = [{ Name: '', Address: 'ml-alerts@example.com' }],
) {
  return {
    ID: id,
    MessageID: `${id}@localhost`,
    Read: false,
    From: { Name: '', Address: 'airflow-ml@localhost' },
    To: to,
    Cc: null,
    Bcc: null,
    ReplyTo: [],
    Subject: subject,
    Created: created,
    Username: '',
    Tags: [],
    Size: 1234,
    Attachments: 0,
    Snippet: 'DAG predict, task predict failed',
  };
}

function message(
  id: string,
  html: string,
  text: string,
  from: unknown = {
    Name: 'Airflow',
    Address: 'airflow-ml@localhost',
  },
) {
  return {
    ID: id,
    MessageID: `${id}@localhost`,
    From: from,
    To: [{ Name: '', Address: 'ml-alerts@example.com' }],
    Cc: null,
    Bcc: [],
    ReplyTo: [],
    ReturnPath: 'airflow-ml@localhost',
    Subject: 'x',
    ListUnsubscribe: { Header: '', Links: [], Errors: '', HeaderPost: '' },
    Date: '2026-01-06T10:00:00Z',
    Tags: [],
    Username: '',
    Text: text,
    HTML: html,
    Size: 1234,
    Inline: [],
    Attachments: [],
  };
}

const SOURCE = 'http://127.0.0.1:8025/api/v1/messages';

function errorOf(fn: () => unknown): {
  name: string;
  message: string;
  hint?: string;
  code: number;
} {
  try {
    fn();
  } catch (err) {
    const e = err as AirflowMlError;
    return { name: e.name, message: e.message, hint: e.hint, code: e.exitCode };
  }
  throw new Error('no error');
}

describe('html-text', () => {
  it("renders an alert's HTML body as lines, entities decoded, tags dropped", () => {
    expect(htmlToText(ALERT_HTML)).toBe(
      [
        'DAG predict, task predict failed for logical date 2026-01-06 (run manual__2026-01-06T00:00:00+00:00, try 1).',
        'Error: predict exited 3: predict: error: /data/raw/2026-01-06/data.csv:4:1: column "age": "forty" is not a number',
        'Log: http://localhost:8080/log?x=1&y=2',
      ].join('\n'),
    );
  });

  it('drops scripts, styles and comments; keeps unknown entities as they are', () => {
    expect(
      htmlFirstLine(
        '<style>p{}</style><!-- note --><script>alert(1)</script><div>  a&nbsp;&#x41;&#66;&bogus;  <br/>b</div>',
      ),
    ).toBe('a AB&bogus;');
    expect(htmlFirstLine('')).toBe('');
  });
});

describe('parsing Mailpit JSON', () => {
  it('reads the summaries: id, receive time as ISO UTC, recipients, subject', () => {
    const body = {
      total: 2,
      unread: 2,
      count: 2,
      messages_count: 2,
      start: 0,
      tags: [],
      messages: [
        summary('b'.repeat(22), '2026-01-06T10:00:05.123456789Z', 'second'),
        summary('a'.repeat(22), '2026-01-06T11:00:00+01:00', 'first', null),
      ],
    };
    expect(parseMessagesSummary(body, SOURCE)).toEqual([
      {
        id: 'b'.repeat(22),
        created: '2026-01-06T10:00:05.123Z',
        to: ['ml-alerts@example.com'],
        subject: 'second',
      },
      { id: 'a'.repeat(22), created: '2026-01-06T10:00:00.000Z', to: [], subject: 'first' },
    ]);
  });

  it('names the field that is not what Mailpit sends', () => {
    const hint =
      "AIRFLOW_ML_MAIL_PORT must be the port of the stack's mail-sink service (Mailpit or its stand-in); `docker compose ps mail-sink` shows it";
    expect(errorOf(() => parseMessagesSummary({ total: 0 }, SOURCE))).toEqual({
      name: 'MailSinkError',
      message: `${SOURCE} answered JSON that is not Mailpit's: messages is not a list`,
      hint,
      code: ExitCode.config,
    });
    expect(errorOf(() => parseMessagesSummary([], SOURCE)).message).toBe(
      `${SOURCE} answered JSON that is not Mailpit's: (body) is not an object`,
    );
    const badAddress = { messages: [summary('x', '2026-01-06T10:00:00Z', 's', [{ Name: 'n' }])] };
    expect(errorOf(() => parseMessagesSummary(badAddress, SOURCE)).message).toBe(
      `${SOURCE} answered JSON that is not Mailpit's: messages[0].To[0].Address is not a string`,
    );
    const badTime = { messages: [summary('x', 'yesterday', 's')] };
    expect(errorOf(() => parseMessagesSummary(badTime, SOURCE)).message).toBe(
      `${SOURCE} answered JSON that is not Mailpit's: messages[0].Created is not a date-time: "yesterday"`,
    );
    const noSubject = { messages: [{ ...summary('x', '2026-01-06T10:00:00Z', 's'), Subject: 7 }] };
    expect(errorOf(() => parseMessagesSummary(noSubject, SOURCE)).message).toBe(
      `${SOURCE} answered JSON that is not Mailpit's: messages[0].Subject is not a string`,
    );
  });

  it('reads one message: sender, HTML and text; a null From is no sender', () => {
    expect(parseMessage(message('m', '<p>h</p>', 't'), SOURCE)).toEqual({
      from: 'airflow-ml@localhost',
      html: '<p>h</p>',
      text: 't',
    });
    expect(parseMessage(message('m', '', 't', null), SOURCE).from).toBe('');
    expect(
      errorOf(() => parseMessage({ ...message('m', '', ''), HTML: null }, SOURCE)).message,
    ).toBe(`${SOURCE} answered JSON that is not Mailpit's: HTML is not a string`);
  });
});

describe('listReceivedAlerts against an HTTP server on loopback', () => {
  let server: http.Server;
  let url: string;
  let routes: Record<string, [number, string]>;
  const requests: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      const [status, body] = routes[req.url ?? ''] ?? [404, '404 page not found\n'];
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    requests.length = 0;
  });

  it('lists the newest first, each with its first line (from the HTML part, else the text)', async () => {
    const newer = 'N'.repeat(22);
    const older = 'O'.repeat(22);
    routes = {
      '/api/v1/messages?limit=2': [
        200,
        JSON.stringify({
          messages: [
            summary(
              older,
              '2026-01-06T10:00:00Z',
              '[airflow-ml] generate_data.generate failed for 2026-01-05',
            ),
            summary(
              newer,
              '2026-01-06T10:00:01Z',
              '[airflow-ml] predict.predict failed for 2026-01-06',
            ),
          ],
        }),
      ],
      [`/api/v1/message/${newer}`]: [
        200,
        JSON.stringify(message(newer, ALERT_HTML, '*DAG* predict')),
      ],
      [`/api/v1/message/${older}`]: [
        200,
        JSON.stringify(message(older, '', '\n  plain   text alert \nsecond line')),
      ],
    };
    expect(await listReceivedAlerts(url, 2)).toEqual([
      {
        id: newer,
        time: '2026-01-06T10:00:01.000Z',
        from: 'airflow-ml@localhost',
        to: ['ml-alerts@example.com'],
        subject: '[airflow-ml] predict.predict failed for 2026-01-06',
        firstLine:
          'DAG predict, task predict failed for logical date 2026-01-06 (run manual__2026-01-06T00:00:00+00:00, try 1).',
      },
      {
        id: older,
        time: '2026-01-06T10:00:00.000Z',
        from: 'airflow-ml@localhost',
        to: ['ml-alerts@example.com'],
        subject: '[airflow-ml] generate_data.generate failed for 2026-01-05',
        firstLine: 'plain text alert',
      },
    ]);
    expect(requests).toEqual([
      '/api/v1/messages?limit=2',
      `/api/v1/message/${older}`,
      `/api/v1/message/${newer}`,
    ]);
  });

  it('an empty sink is an empty list', async () => {
    routes = { '/api/v1/messages?limit=5': [200, JSON.stringify({ messages: [] })] };
    expect(await listReceivedAlerts(url, 5)).toEqual([]);
  });

  it('something else on the port: its status or its non-JSON answer, and what to do', async () => {
    routes = { '/api/v1/messages?limit=1': [200, '<html>hello</html>'] };
    await expect(listReceivedAlerts(url, 3)).rejects.toMatchObject({
      name: 'MailSinkError',
      message: `${url}/api/v1/messages?limit=3 answered 404: 404 page not found`,
    });
    await expect(listReceivedAlerts(url, 1)).rejects.toMatchObject({
      name: 'MailSinkError',
      message: `${url}/api/v1/messages?limit=1 answered something that is not JSON: <html>hello</html>`,
      hint: "AIRFLOW_ML_MAIL_PORT must be the port of the stack's mail-sink service (Mailpit or its stand-in); something else may listen there",
    });
  });

  it('nothing listening: says to start the stack', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = (await listReceivedAlerts(`http://127.0.0.1:${port}`, 1).catch(
      (e: unknown) => e,
    )) as AirflowMlError;
    expect({ name: err.name, message: err.message, hint: err.hint, code: err.exitCode }).toEqual({
      name: 'MailSinkError',
      message: `no mail sink answers at http://127.0.0.1:${port} (connection refused)`,
      hint: 'start the stack with `airflow-ml up` (its mail-sink service receives the alerts); if it is running, AIRFLOW_ML_MAIL_PORT must match the port mail-sink publishes (`docker compose ps mail-sink`)',
      code: ExitCode.config,
    });
    // status: the same cause, as a failed check (exit 1) that says alerts are lost.
    const check = await checkAlertPath({ kind: 'sink', url: `http://127.0.0.1:${port}` });
    expect({
      line: check.line,
      name: check.problem?.name,
      message: check.problem?.message,
      code: check.problem?.exitCode,
    }).toEqual({
      line: `alerts: local mail sink, read with \`airflow-ml alerts list\` (http://127.0.0.1:${port}): NOT ANSWERING`,
      name: 'CheckFailedError',
      message: `the local mail sink does not answer, so failure alerts are lost: no mail sink answers at http://127.0.0.1:${port} (connection refused)`,
      code: ExitCode.checkFailed,
    });
  });

  it('a sink that answers passes the check', async () => {
    routes = { '/api/v1/messages?limit=1': [200, JSON.stringify({ messages: [] })] };
    expect(await checkAlertPath({ kind: 'sink', url })).toEqual({
      line: `alerts: local mail sink, read with \`airflow-ml alerts list\` (${url})`,
    });
  });
});

describe('the alert path', () => {
  it('is the local sink without SMTP_HOST, on AIRFLOW_ML_MAIL_PORT (default 8025)', () => {
    expect(alertPath({})).toEqual({ kind: 'sink', url: 'http://127.0.0.1:8025' });
    expect(describeAlertPath(alertPath({ SMTP_HOST: '', AIRFLOW_ML_MAIL_PORT: '18025' }))).toBe(
      'alerts: local mail sink, read with `airflow-ml alerts list` (http://127.0.0.1:18025)',
    );
    expect(requireMailSink({})).toBe('http://127.0.0.1:8025');
    expect(mailSinkPort({ AIRFLOW_ML_MAIL_PORT: '65535' })).toBe(65535);
    for (const bad of ['0', '65536', '80a', '-1', '1.5']) {
      expect(errorOf(() => mailSinkUrl({ AIRFLOW_ML_MAIL_PORT: bad }))).toEqual({
        name: 'ConfigError',
        message: `AIRFLOW_ML_MAIL_PORT must be a port number, not "${bad}"`,
        hint: undefined,
        code: ExitCode.config,
      });
    }
  });

  it('is SMTP with SMTP_HOST, and then there is no sink to list', () => {
    const smtp = { SMTP_HOST: 'smtp.example.com', SMTP_USER: 'bot@example.com' };
    expect(describeAlertPath(alertPath(smtp))).toBe(
      'alerts: SMTP smtp.example.com:587 as bot@example.com',
    );
    expect(describeAlertPath(alertPath({ SMTP_HOST: 'relay', SMTP_STARTTLS: 'false' }))).toBe(
      'alerts: SMTP relay:25 without a login',
    );
    expect(errorOf(() => requireMailSink(smtp))).toEqual({
      name: 'ConfigError',
      message:
        'SMTP_HOST is set, so alerts go to smtp.example.com:587, not to the local mail sink: there is nothing here to list',
      hint: "read them in the recipients' mailbox (`airflow-ml alerts test --to ADDRESS` checks that path); to use the local sink instead, remove SMTP_HOST from .env and run `airflow-ml up`",
      code: ExitCode.config,
    });
  });
});
