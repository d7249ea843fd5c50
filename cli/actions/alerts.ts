import { requireMailSink } from '../ops/alerts/alert-path';
import { listReceivedAlerts } from '../ops/alerts/mail-sink';
import { sendTestAlert } from '../ops/alerts/send-test';
import { requireSmtpSettings } from '../ops/alerts/smtp-settings';
import { formatTable } from '../output/table';
import { positiveNumber } from '../config/cli-options';
import { out } from '../output/print';
import { loadEnv } from '../base/env';
import { UsageError } from '../base/errors';

/** Longest first line shown in the table (the JSON has it whole). */
const LINE_WIDTH = 100;

/** `alerts test --to ADDRESS`: one e-mail through the SMTP_* settings the DAG alerts use. */
export async function runAlertsTest(flags: { to: string }): Promise<void> {
  const settings = requireSmtpSettings(loadEnv());
  const result = await sendTestAlert(settings, flags.to);
  out(
    `sent a test alert to ${result.accepted.join(', ')} via ${settings.host}:${settings.port} (${result.response})`,
  );
}

/** `alerts list`: what the local mail sink received, newest first. */
export async function runAlertsList(flags: { json?: boolean; limit: string }): Promise<void> {
  const limit = positiveNumber('--limit', flags.limit, 20);
  if (!Number.isInteger(limit) || limit > 500) {
    throw new UsageError(`--limit must be a whole number from 1 to 500, not "${flags.limit}"`);
  }
  const url = requireMailSink(loadEnv());
  const received = await listReceivedAlerts(url, limit);
  if (flags.json) return out(JSON.stringify(received, null, 2));
  if (received.length === 0) return out(`no alerts received yet (${url})`);
  out(
    formatTable(
      ['TIME', 'TO', 'SUBJECT', 'FIRST LINE'],
      received.map((a) => [
        a.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
        a.to.join(', '),
        a.subject,
        a.firstLine.length > LINE_WIDTH ? `${a.firstLine.slice(0, LINE_WIDTH - 1)}…` : a.firstLine,
      ]),
    ),
  );
}
