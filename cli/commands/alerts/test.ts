import type { Command } from 'commander';
import { runAlertsTest } from '../../actions/alerts';

export function registerAlertsTest(alerts: Command): void {
  alerts
    .command('test')
    .description('Send a test e-mail with the SMTP_* settings the DAG alerts use.')
    .requiredOption('--to <address>', 'recipient')
    .action(runAlertsTest);
}
