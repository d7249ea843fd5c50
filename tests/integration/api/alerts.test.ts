import { ExitCode } from '../../../cli/base/errors';
import { runCli } from './run-cli';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';

/** `alerts test` against a real SMTP server (smtp-server) on loopback, in this process. */

const USER = 'alerts@example.com';
const PASSWORD = 'smtp-Secr3t-pw';

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink({ user: USER, password: PASSWORD });
});
afterAll(async () => {
  await sink?.close();
});

const smtpEnv = (overrides: Record<string, string> = {}) => ({
  SMTP_HOST: '127.0.0.1',
  SMTP_PORT: String(sink.port),
  SMTP_USER: USER,
  SMTP_PASSWORD: PASSWORD,
  SMTP_FROM: 'airflow-ml@example.com',
  SMTP_STARTTLS: 'false',
  ...overrides,
});

test('sends a test message with the SMTP_* settings; the server receives it', async () => {
  const r = await runCli(['alerts', 'test', '--to', 'oncall@example.com'], smtpEnv());
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(
    new RegExp(`^sent a test alert to oncall@example.com via 127\\.0\\.0\\.1:${sink.port} \\(250 `),
  );
  const mail = await sink.waitFor((m) => m.to.includes('oncall@example.com'), 5000);
  expect(mail).toMatchObject({ from: 'airflow-ml@example.com', user: USER });
  expect(mail.raw).toContain('Subject: airflow-ml test alert');
  expect(mail.raw).not.toContain(PASSWORD);
  expect(r.all).not.toContain(PASSWORD);
});

test('settings come from .env in the working directory too', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-alerts-'));
  const lines = Object.entries(smtpEnv()).map(([k, v]) => `${k}=${v}`);
  fs.writeFileSync(path.join(dir, '.env'), `${lines.join('\n')}\n`);
  const before = sink.mails.length;
  const r = await runCli(['alerts', 'test', '--to', 'dotenv@example.com'], {}, dir);
  expect(r.code).toBe(0);
  expect(sink.mails.slice(before).map((m) => m.to)).toEqual([['dotenv@example.com']]);
});

test('wrong SMTP password: exit 5, the password is not printed', async () => {
  const r = await runCli(
    ['alerts', 'test', '--to', 'x@example.com'],
    smtpEnv({ SMTP_PASSWORD: 'wrong-Pa55' }),
  );
  expect(r.code).toBe(ExitCode.auth);
  expect(r.stderr).toMatch(/error: 127\.0\.0\.1:\d+ refused the login \(EAUTH/);
  expect(r.stderr).toContain('hint: check SMTP_USER and SMTP_PASSWORD');
  expect(r.all).not.toContain('wrong-Pa55');
});

test('STARTTLS required but not offered: exit 9 with a TLS hint', async () => {
  const r = await runCli(
    ['alerts', 'test', '--to', 'x@example.com'],
    smtpEnv({ SMTP_STARTTLS: 'true' }),
  );
  expect(r.code).toBe(ExitCode.config);
  expect(r.stderr).toContain('hint: check SMTP_SSL / SMTP_STARTTLS');
});

test('no SMTP server there: exit 9 naming host and port', async () => {
  const r = await runCli(['alerts', 'test', '--to', 'x@example.com'], smtpEnv({ SMTP_PORT: '1' }));
  expect(r.code).toBe(ExitCode.config);
  expect(r.stderr).toContain(
    'error: could not send through 127.0.0.1:1 (ESOCKET: connect ECONNREFUSED',
  );
});

test('no SMTP_HOST: exit 9 listing the variables to set', async () => {
  const r = await runCli(['alerts', 'test', '--to', 'x@example.com'], {});
  expect(r.code).toBe(ExitCode.config);
  expect(r.stderr).toContain('error: SMTP_HOST is not set');
});
