import type { Command } from 'commander';
import { MARK_STATES, runMark } from '../actions/mark';
import { withAirflowOptions } from '../config/cli-options';

export function registerMark(program: Command): void {
  withAirflowOptions(program.command('mark'))
    .description(
      "Set a run's state to success or failed (its unfinished tasks follow), e.g. to release a run stuck on a sensor.",
    )
    .argument('<dag_id>')
    .argument('<run_id>')
    .argument('<state>', MARK_STATES.join(' or '))
    .action(runMark);
}
