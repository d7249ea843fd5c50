import type { Command } from 'commander';
import { PAUSE_HELP, pauseAction } from '../actions/pause';
import { withAirflowOptions } from '../config/cli-options';

export function registerPause(program: Command): void {
  for (const verb of ['pause', 'unpause'] as const) {
    withAirflowOptions(program.command(verb))
      .description(PAUSE_HELP[verb])
      .argument('<dag_id...>')
      .action(pauseAction(verb));
  }
}
