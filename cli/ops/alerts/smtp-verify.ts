import type { SmtpSettings } from './smtp-settings';
import { smtpTransport, toSmtpError } from './smtp-transport';

/**
 * Check that the configured SMTP server accepts us, sending nothing: connect, EHLO, STARTTLS
 * or SSL as configured, and AUTH when SMTP_USER is set (nodemailer's `verify()`). Throws
 * SmtpError with the server's answer when it refuses. A server that wants a login while
 * SMTP_USER is unset passes here and refuses only at MAIL FROM; `alerts test` catches that.
 */
export async function verifySmtp(settings: SmtpSettings, timeoutMs = 15_000): Promise<void> {
  const transport = await smtpTransport(settings, timeoutMs);
  try {
    await transport.verify();
  } catch (err) {
    throw toSmtpError(err, settings, 'reach');
  } finally {
    transport.close();
  }
}
