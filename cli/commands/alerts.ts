import type { Command } from 'commander';
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

export function registerAlerts(program: Command): void {
  const alerts = program.command('alerts').description('Failure e-mail alerts.');
  alerts
    .command('test')
    .description('Send a test e-mail with the SMTP_* settings the DAG alerts use.')
    .requiredOption('--to <address>', 'recipient')
    .action(async (flags: { to: string }) => {
      const settings = requireSmtpSettings(loadEnv());
      const result = await sendTestAlert(settings, flags.to);
      out(
        `sent a test alert to ${result.accepted.join(', ')} via ${settings.host}:${settings.port} (${result.response})`,
      );
    });
  alerts
    .command('list')
    .description(
      'The alerts the local mail sink received (when no SMTP_HOST is set), newest first: time, recipients, subject, first line.',
    )
    .option('--json', 'print a JSON array')
    .option('--limit <n>', 'how many, newest first', '20')
    .action(async (flags: { json?: boolean; limit: string }) => {
      const limit = positiveNumber('--limit', flags.limit, 20);
      if (!Number.isInteger(limit) || limit > 500) {
        throw new UsageError(`--limit must be a whole number from 1 to 500, not "${flags.limit}"`);
      }
      const url = requireMailSink(loadEnv());
      const received = await listReceivedAlerts(url, limit);
      if (flags.json) {
        out(JSON.stringify(received, null, 2));
      } else if (received.length === 0) {
        out(`no alerts received yet (${url})`);
      } else {
        out(
          formatTable(
            ['TIME', 'TO', 'SUBJECT', 'FIRST LINE'],
            received.map((a) => [
              a.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
              a.to.join(', '),
              a.subject,
              a.firstLine.length > LINE_WIDTH
                ? `${a.firstLine.slice(0, LINE_WIDTH - 1)}…`
                : a.firstLine,
            ]),
          ),
        );
      }
    });
}
