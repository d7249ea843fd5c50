import type { Command } from 'commander';
import { clearRun } from '../ops/airflow/dag-runs-admin';
import {
  clientFromFlags,
  withAirflowOptions,
  type AirflowCommandFlags,
} from '../config/cli-options';
import { out } from '../output/print';

interface ClearFlags extends AirflowCommandFlags {
  task?: string[];
  failedOnly?: boolean;
}

/** `clear DAG RUN`: task instances back to no state, so the scheduler runs them again. */
export function registerClear(program: Command): void {
  withAirflowOptions(program.command('clear'))
    .description(
      "Clear a run's task instances so the scheduler runs them again (the run goes back to queued).",
    )
    .argument('<dag_id>')
    .argument('<run_id>')
    .option('--task <task_id...>', 'only these tasks (default: every task of the run)')
    .option('--failed-only', 'only tasks that failed or were upstream_failed')
    .action(async (dagId: string, runId: string, flags: ClearFlags) => {
      const cleared = await clearRun(clientFromFlags(flags), dagId, runId, {
        taskIds: flags.task,
        failedOnly: flags.failedOnly,
      });
      out(
        cleared.length === 0
          ? `nothing to clear in ${dagId} ${runId}${flags.failedOnly ? ' (no failed task)' : ''}`
          : `cleared ${cleared.length} task(s) of ${dagId} ${runId}: ${cleared.join(', ')}`,
      );
    });
}
