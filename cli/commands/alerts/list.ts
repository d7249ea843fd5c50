import type { Command } from 'commander';
import { runAlertsList } from '../../actions/alerts';

export function registerAlertsList(alerts: Command): void {
  alerts
    .command('list')
    .description(
      'The alerts the local mail sink received (when no SMTP_HOST is set), newest first: time, recipients, subject, first line.',
    )
    .option('--json', 'print a JSON array')
    .option('--limit <n>', 'how many, newest first', '20')
    .action(runAlertsList);
}
