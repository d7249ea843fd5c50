// nodemailer loads on first use: most commands never talk to an SMTP server.
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { AirflowMlError, ExitCode } from '../../base/errors';
import type { SmtpSettings } from './smtp-settings';

/** The SMTP server refused or could not be reached; the message never contains the password. */
export class SmtpError extends AirflowMlError {
  readonly exitCode: ExitCode;
  constructor(message: string, hint: string, exitCode: ExitCode) {
    super(message, hint);
    this.exitCode = exitCode;
  }
}

/** A nodemailer transport with exactly the TLS mode and login that smtp_default uses. */
export async function smtpTransport(
  settings: SmtpSettings,
  timeoutMs: number,
): Promise<Transporter<SMTPTransport.SentMessageInfo>> {
  const nodemailer = await import('nodemailer');
  return nodemailer.createTransport({
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
}

export function smtpAddress(s: SmtpSettings): string {
  return `${s.host}:${s.port}`;
}

export function smtpMode(s: SmtpSettings): string {
  return s.ssl ? 'SSL' : s.starttls ? 'STARTTLS' : 'plain, no TLS';
}

/**
 * What went wrong, with the server's own answer (nodemailer puts the SMTP reply, such as
 * `535 Invalid username or password`, in the message) and what to fix; the password is
 * masked should a server echo it.
 */
export function toSmtpError(
  err: unknown,
  s: SmtpSettings,
  action: 'send through' | 'reach' = 'send through',
): SmtpError {
  const where = smtpAddress(s);
  const e = err as { code?: string; message?: string };
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
    `could not ${action} ${where} (${text})`,
    'check SMTP_HOST and SMTP_PORT, and that the server is reachable from here',
    ExitCode.config,
  );
}
