import type { Env } from '../../base/env';
import { AirflowMlError, CheckFailedError, ConfigError } from '../../base/errors';
import { mailSinkUrl, pingMailSink, MailSinkError } from './mail-sink';
import { smtpSettingsFromEnv, type SmtpSettings } from './smtp-settings';
import { smtpAddress } from './smtp-transport';
import { verifySmtp } from './smtp-verify';

/**
 * Where failure alerts go, decided by one fact: SMTP_HOST. Set, the DAGs' smtp_default is
 * that server (cli/ops/deploy/settings.ts, docker/stack/airflow-init.py); unset, the stack's
 * airflow-init points smtp_default at its mail-sink service, read with `alerts list`.
 */
export type AlertPath = { kind: 'smtp'; smtp: SmtpSettings } | { kind: 'sink'; url: string };

export function alertPath(env: Env): AlertPath {
  const smtp = smtpSettingsFromEnv(env);
  return smtp ? { kind: 'smtp', smtp } : { kind: 'sink', url: mailSinkUrl(env) };
}

/** The line `up` and `status` print. */
export function describeAlertPath(path: AlertPath): string {
  if (path.kind === 'sink') {
    return `alerts: local mail sink, read with \`airflow-ml alerts list\` (${path.url})`;
  }
  const who = path.smtp.user ? `as ${path.smtp.user}` : 'without a login';
  return `alerts: SMTP ${smtpAddress(path.smtp)} ${who}`;
}

export interface AlertPathCheck {
  line: string;
  /** Why alerts would not arrive; undefined when the path works. */
  problem?: AirflowMlError;
}

/**
 * Prove the path works without sending anything: the SMTP server accepts our connection,
 * TLS and login (SmtpError with its answer otherwise), or the sink answers its API.
 */
export async function checkAlertPath(path: AlertPath): Promise<AlertPathCheck> {
  const line = describeAlertPath(path);
  try {
    if (path.kind === 'smtp') await verifySmtp(path.smtp);
    else await pingMailSink(path.url);
    return { line };
  } catch (err) {
    if (err instanceof MailSinkError) {
      return {
        line: `${line}: NOT ANSWERING`,
        problem: new CheckFailedError(
          `the local mail sink does not answer, so failure alerts are lost: ${err.message}`,
          err.hint,
        ),
      };
    }
    if (err instanceof AirflowMlError) return { line: `${line}: REFUSED`, problem: err };
    throw err;
  }
}

/** The sink's URL for `alerts list`, or why there is no sink to read. */
export function requireMailSink(env: Env): string {
  const path = alertPath(env);
  if (path.kind === 'sink') return path.url;
  throw new ConfigError(
    `SMTP_HOST is set, so alerts go to ${smtpAddress(path.smtp)}, not to the local mail sink: there is nothing here to list`,
    `read them in the recipients' mailbox (\`airflow-ml alerts test --to ADDRESS\` checks that path); to use the local sink instead, remove SMTP_HOST from .env and run \`airflow-ml up\``,
  );
}
