import { fetchTaskLog } from '../ops/airflow/logs';
import { clientFromFlags, positiveNumber, type AirflowCommandFlags } from '../config/cli-options';
import { note, out } from '../output/print';
import { UsageError } from '../base/errors';

/** `logs DAG RUN TASK`: one try's log, every known secret redacted. */
export async function runLogs(
  dagId: string,
  runId: string,
  taskId: string,
  flags: AirflowCommandFlags & { try?: string; mapIndex?: string },
): Promise<void> {
  // Flags first: a usage error needs no credentials and no server.
  const tryNumber = flags.try === undefined ? undefined : positiveNumber('--try', flags.try, 1);
  const index = flags.mapIndex === undefined ? undefined : mapIndex(flags.mapIndex);
  const client = clientFromFlags(flags);
  const log = await fetchTaskLog(client, {
    dagId,
    runId,
    taskId,
    tryNumber,
    mapIndex: index,
  });
  note(`log of ${dagId} / ${runId} / ${taskId}, try ${log.tryNumber}`);
  for (const line of log.lines) out(client.redact(line));
}

function mapIndex(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < -1)
    throw new UsageError(`--map-index must be an integer >= -1, not "${raw}"`);
  return n;
}
