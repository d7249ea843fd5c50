import type { Command } from 'commander';
import { listRecentRuns } from '../airflow/runs';
import { formatTable } from '../airflow/table';
import {
  clientFromFlags,
  out,
  positiveNumber,
  withAirflowOptions,
  type AirflowCommandFlags,
} from '../config/cli-options';

export function registerRuns(program: Command): void {
  withAirflowOptions(program.command('runs'))
    .description("Recent runs of a DAG, newest first, with each task's state.")
    .argument('<dag_id>')
    .option('--limit <n>', 'how many runs', '10')
    .action(async (dagId: string, flags: AirflowCommandFlags & { limit: string }) => {
      const runs = await listRecentRuns(
        clientFromFlags(flags),
        dagId,
        positiveNumber('--limit', flags.limit, 10),
      );
      if (runs.length === 0) {
        out(`no runs of ${dagId} yet`);
        return;
      }
      out(
        formatTable(
          ['RUN ID', 'LOGICAL DATE', 'STATE', 'STARTED', 'ENDED', 'TASKS'],
          runs.map(({ run, tasks }) => [
            run.dag_run_id,
            run.logical_date ?? '-',
            run.state,
            run.start_date ?? '-',
            run.end_date ?? '-',
            tasks.map((t) => `${t.task_id}=${t.state ?? 'none'}`).join(' '),
          ]),
        ),
      );
    });
}
