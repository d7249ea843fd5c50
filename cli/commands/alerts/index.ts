import type { Command } from 'commander';
import { registerAlertsList } from './list';
import { registerAlertsTest } from './test';

export function registerAlerts(program: Command): void {
  const alerts = program.command('alerts').description('Failure e-mail alerts.');
  registerAlertsTest(alerts);
  registerAlertsList(alerts);
}
