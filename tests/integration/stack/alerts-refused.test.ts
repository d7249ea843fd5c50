import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { ExitCode } from '../../../cli/base/errors';
import { runCliAsync } from '../support/cli';
import { startSmtpSink } from '../support/smtp-sink';

/**
 * With SMTP_* set, `up` checks the server before it starts anything (connect, EHLO, AUTH; no
 * mail sent) and fails loudly when it refuses: a real SMTP server on loopback (smtp-server)
 * that wants a login, given the wrong password. Cheap: `up` stops at the check, before any
 * image or container, so this runs beside the main stack test without touching that stack.
 * (The stack test itself runs with no SMTP settings: alerts go to the local mail sink.)
 */

const USER = 'alerts@example.com';
const WRONG = `-wrong 'pw' "x" $HOME`;

test('up with a refusing SMTP server: exit 5 at once, with its answer and what to fix, nothing started', async () => {
  const smtp = await startSmtpSink({ user: USER, password: 'right-pw' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-alerts-refused-'));
  const envFile = path.join(dir, 'stack.env');
  const values: Record<string, string> = {
    AIRFLOW_ML_DATA_ROOT: path.join(dir, 'data'),
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    SMTP_STARTTLS: 'false',
    SMTP_USER: USER,
    SMTP_PASSWORD: WRONG,
  };
  const text = Object.entries(values).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`,
  );
  fs.writeFileSync(envFile, `${text.join('\n')}\n`, { mode: 0o600 });
  const docker = new Docker();
  const containers = async () =>
    (
      await docker.listContainers({
        all: true,
        filters: { label: ['com.docker.compose.project=airflow-ml'] },
      })
    )
      .map((c) => `${c.Id} ${c.State}`)
      .sort();
  const before = await containers();
  try {
    const started = Date.now();
    const res = await runCliAsync(['up', '--stack-env-file', envFile], {}, 120_000);
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(`[alerts-refused] up failed after ${seconds.toFixed(1)} s\n`);
    expect(res.code).toBe(ExitCode.auth);
    expect(res.stdout).toBe('');
    expect(res.stderr.split('\n').slice(-3)).toEqual([
      `error: 127.0.0.1:${smtp.port} refused the login (EAUTH: Invalid login: 535 Invalid username or password)`,
      'hint: check SMTP_USER and SMTP_PASSWORD',
      '',
    ]);
    expect(res.stderr + res.stdout).not.toContain(WRONG);
    expect(seconds).toBeLessThan(30);
    // Nothing was sent, and no container of the stack was created, started or stopped.
    expect(smtp.mails).toEqual([]);
    expect(await containers()).toEqual(before);
  } finally {
    await smtp.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
