import type { Command } from 'commander';
import { getAirflowStatus } from '../airflow/health';
import { formatTable } from '../airflow/table';
import {
  out,
  publicClientFromFlags,
  withAirflowOptions,
  type AirflowCommandFlags,
} from '../config/cli-options';
import { CheckFailedError } from '../errors';

export function registerStatus(program: Command): void {
  withAirflowOptions(program.command('status'))
    .description(
      'Airflow version and the health of metadatabase, scheduler, dag-processor and triggerer (exit 1 if any is unhealthy).',
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
      if (!status.healthy) {
        const bad = status.components.filter((c) => c.status !== 'healthy');
        throw new CheckFailedError(
          `Airflow is not healthy: ${bad.map((c) => `${c.name} ${c.status}`).join(', ')}`,
          'start the missing component(s); a component is unhealthy when its heartbeat is older than its threshold',
        );
      }
    });
}
