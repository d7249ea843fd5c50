import type { Command } from 'commander';
import { alertPath, checkAlertPath } from '../alerts/alert-path';
import { getAirflowStatus } from '../airflow/health';
import { formatTable } from '../airflow/table';
import {
  out,
  publicClientFromFlags,
  withAirflowOptions,
  type AirflowCommandFlags,
} from '../config/cli-options';
import { loadEnv } from '../config/env';
import { CheckFailedError } from '../errors';

export function registerStatus(program: Command): void {
  withAirflowOptions(program.command('status'))
    .description(
      'Airflow version, the health of metadatabase, scheduler, dag-processor and triggerer (exit 1 if any is unhealthy), and the alert path: the local mail sink or SMTP, checked without sending (non-zero exit if it refuses).',
    )
    .action(async (flags: AirflowCommandFlags) => {
      const status = await getAirflowStatus(publicClientFromFlags(flags));
      out(`Airflow ${status.version} at ${status.url}`);
      out(
        formatTable(
          ['COMPONENT', 'STATUS', 'LATEST HEARTBEAT'],
          status.components.map((c) => [c.name, c.status, c.latestHeartbeat ?? '-']),
        ),
      );
      // Alerts that cannot arrive are a failure of the stack too (issue 12: they failed silently).
      const alerts = await checkAlertPath(alertPath(loadEnv()));
      out(alerts.line);
      if (!status.healthy) {
        const bad = status.components.filter((c) => c.status !== 'healthy');
        throw new CheckFailedError(
          `Airflow is not healthy: ${bad.map((c) => `${c.name} ${c.status}`).join(', ')}`,
          'start the missing component(s); a component is unhealthy when its heartbeat is older than its threshold',
        );
      }
      if (alerts.problem) throw alerts.problem;
    });
}
