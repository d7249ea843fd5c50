import { alertPath, checkAlertPath } from '../ops/alerts/alert-path';
import { getAirflowStatus } from '../ops/airflow/health';
import { formatTable } from '../output/table';
import { publicClientFromFlags, type AirflowCommandFlags } from '../config/cli-options';
import { out, outJson } from '../output/print';
import { envValue, loadEnv } from '../base/env';
import { CheckFailedError } from '../base/errors';
import { statusJson } from '../output/json';
import { stoppedStackServices, stoppedServicesError, urlIsLocalStack } from '../ops/stack/stopped';
import { DEFAULT_PORT } from '../ops/stack/settings';
import { stackWorkers, WORKER_COLUMNS, workerRows } from '../ops/stack/workers';

/**
 * `status`: Airflow's health, the local stack's Celery workers (in Celery mode), its stopped
 * services and the alert path.
 */
export async function runStatus(flags: AirflowCommandFlags & { json?: boolean }): Promise<void> {
  // A stopped service of the local stack is named with its fix, even when it is the
  // api-server and nothing answers over HTTP; an Airflow elsewhere is reported on alone.
  const env = loadEnv();
  const client = publicClientFromFlags(flags, env);
  const configuredPort = envValue(env, 'AIRFLOW_PORT') ?? String(DEFAULT_PORT);
  const local = await urlIsLocalStack(client.baseUrl, { configuredPort });
  const stopped = local ? await stoppedStackServices() : [];
  const workers = local ? await stackWorkers() : [];
  const status = await getAirflowStatus(client).catch((error) => {
    throw stopped.length > 0 ? stoppedServicesError(stopped) : error;
  });
  if (!flags.json) {
    out(`Airflow ${status.version} at ${status.url}`);
    out(
      formatTable(
        ['COMPONENT', 'STATUS', 'LATEST HEARTBEAT'],
        status.components.map((c) => [c.name, c.status, c.latestHeartbeat ?? '-']),
      ),
    );
    if (workers.length > 0) out(formatTable(WORKER_COLUMNS, workerRows(workers)));
  }
  // Alerts that cannot arrive are a failure of the stack too (issue 12: they failed silently).
  const alerts = await checkAlertPath(alertPath(env));
  if (flags.json) outJson(statusJson(status, alerts.line, workers));
  else out(alerts.line);
  if (stopped.length > 0) throw stoppedServicesError(stopped);
  if (!status.healthy) {
    const bad = status.components.filter((c) => c.status !== 'healthy');
    throw new CheckFailedError(
      `Airflow is not healthy: ${bad.map((c) => `${c.name} ${c.status}`).join(', ')}`,
      'start the missing component(s); a component is unhealthy when its heartbeat is older than its threshold',
    );
  }
  if (alerts.problem) throw alerts.problem;
}
