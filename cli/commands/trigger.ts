import type { Command } from 'commander';
import { logicalDateForDay } from '../ops/airflow/logical-date';
import { triggerDag } from '../ops/airflow/trigger';
import {
  clientFromFlags,
  positiveNumber,
  withAirflowOptions,
  type AirflowCommandFlags,
} from '../config/cli-options';
import { note, out } from '../output/print';

interface TriggerFlags extends AirflowCommandFlags {
  date?: string;
  wait?: boolean;
  timeout?: string;
  poll?: string;
}

export function registerTrigger(program: Command): void {
  withAirflowOptions(program.command('trigger'))
    .description(
      'Start a DAG run for a logical date (midnight UTC); with --wait, follow it to the end.',
    )
    .argument('<dag_id>')
    .option('--date <YYYY-MM-DD>', 'logical date, i.e. {{ ds }} (default: today, UTC)')
    .option(
      '--wait',
      'wait for the run to finish; exit 6 and print the failed task log tail if it fails',
    )
    .option('--timeout <seconds>', 'with --wait: give up after this long', '1800')
    .option('--poll <seconds>', 'with --wait: seconds between status checks', '2')
    .action(async (dagId: string, flags: TriggerFlags) => {
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
        outcome.final
          ? `${outcome.final.dag_run_id} ${outcome.final.state}`
          : outcome.run.dag_run_id,
      );
    });
}
