import type { Command } from 'commander';
import { sendTestAlert } from '../alerts/send-test';
import { requireSmtpSettings } from '../alerts/smtp-settings';
import { out } from '../config/cli-options';
import { loadEnv } from '../config/env';

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
}
