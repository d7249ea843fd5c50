import { logicalDateForDay } from '../ops/airflow/logical-date';
import { triggerDag } from '../ops/airflow/trigger';
import { clientFromFlags, positiveNumber, type AirflowCommandFlags } from '../config/cli-options';
import { note, out } from '../output/print';

export interface TriggerFlags extends AirflowCommandFlags {
  date?: string;
  wait?: boolean;
  timeout?: string;
  poll?: string;
}

/** `trigger DAG`: one run for a logical date; with --wait, followed to the end. */
export async function runTrigger(dagId: string, flags: TriggerFlags): Promise<void> {
  // Flags first: a usage error needs no credentials and no server.
  const options = {
    dagId,
    logicalDate: logicalDateForDay(flags.date),
    wait: flags.wait,
    timeoutMs: positiveNumber('--timeout', flags.timeout, 1800) * 1000,
    pollMs: positiveNumber('--poll', flags.poll, 2) * 1000,
    report: note,
  };
  const outcome = await triggerDag(clientFromFlags(flags), options);
  out(
    outcome.final ? `${outcome.final.dag_run_id} ${outcome.final.state}` : outcome.run.dag_run_id,
  );
}
