import { ExitCode } from '../../base/errors';
import type { SmtpSettings } from './smtp-settings';
import { SmtpError, smtpAddress, smtpMode, smtpTransport, toSmtpError } from './smtp-transport';

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
  const transport = await smtpTransport(settings, timeoutMs);
  const where = smtpAddress(settings);
  try {
    const info = await transport.sendMail({
      from: settings.from,
      to,
      subject: 'airflow-ml test alert',
      text:
        `This is a test message from \`airflow-ml alerts test\`.\n\n` +
        `It went through ${where} (${smtpMode(settings)}) from ${settings.from}, the settings that ` +
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
    throw toSmtpError(err, settings);
  } finally {
    transport.close();
  }
}
