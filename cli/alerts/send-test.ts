// nodemailer loads on first use: most commands never send mail.
import { AirflowMlError, ExitCode } from '../errors';
import type { SmtpSettings } from './smtp-settings';

/** The SMTP server refused or could not be reached; the message never contains the password. */
export class SmtpError extends AirflowMlError {
  readonly exitCode: ExitCode;
  constructor(message: string, hint: string, exitCode: ExitCode) {
    super(message, hint);
    this.exitCode = exitCode;
  }
}

export interface TestMailResult {
  messageId: string;
  accepted: string[];
  response: string;
}

/**
 * Send one test message with the same SMTP settings the DAG alerts use, so a user can check
 * host, port, TLS mode and credentials before a real failure depends on them.
 */
export async function sendTestAlert(
  settings: SmtpSettings,
  to: string,
  timeoutMs = 20_000,
): Promise<TestMailResult> {
  const nodemailer = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.ssl,
    requireTLS: settings.starttls,
    ignoreTLS: !settings.ssl && !settings.starttls,
    auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  const where = `${settings.host}:${settings.port}`;
  try {
    const info = await transport.sendMail({
      from: settings.from,
      to,
      subject: 'airflow-ml test alert',
      text:
        `This is a test message from \`airflow-ml alerts test\`.\n\n` +
        `It went through ${where} (${mode(settings)}) from ${settings.from}, the settings that ` +
        `Airflow's smtp_default connection uses for DAG failure alerts.\n`,
    });
    const rejected = (info.rejected ?? []).map(String);
    if (rejected.length > 0) {
      throw new SmtpError(
        `${where} rejected recipient(s): ${rejected.join(', ')}`,
        'check the --to address and whether this server relays to it',
        ExitCode.config,
      );
    }
    return {
      messageId: info.messageId,
      accepted: (info.accepted ?? []).map(String),
      response: info.response,
    };
  } catch (err) {
    if (err instanceof SmtpError) throw err;
    throw toSmtpError(err, where, settings);
  } finally {
    transport.close();
  }
}

function toSmtpError(err: unknown, where: string, s: SmtpSettings): SmtpError {
  const e = err as { code?: string; message?: string; responseCode?: number };
  let text = `${e.code ?? 'error'}: ${e.message ?? String(err)}`;
  if (s.password) text = text.split(s.password).join('***');
  if (e.code === 'EAUTH') {
    return new SmtpError(
      `${where} refused the login (${text})`,
      'check SMTP_USER and SMTP_PASSWORD',
      ExitCode.auth,
    );
  }
  if (e.code === 'ETLS' || /tls|ssl|certificate/i.test(text)) {
    return new SmtpError(
      `TLS with ${where} failed (${text})`,
      'check SMTP_SSL / SMTP_STARTTLS against what the server offers (465 = SSL, 587 = STARTTLS)',
      ExitCode.config,
    );
  }
  return new SmtpError(
    `could not send through ${where} (${text})`,
    'check SMTP_HOST and SMTP_PORT, and that the server is reachable from here',
    ExitCode.config,
  );
}

function mode(s: SmtpSettings): string {
  return s.ssl ? 'SSL' : s.starttls ? 'STARTTLS' : 'plain, no TLS';
}
