import type { Command } from 'commander';
import { runDeploy } from '../actions/deploy';
import { withAirflowOptions } from '../config/cli-options';
import { DEFAULT_DAGS_DIR, DEFAULT_SPECS_DIR } from '../compiler/project';

export function registerDeploy(program: Command): void {
  withAirflowOptions(program.command('deploy'))
    .description(
      'Compile the specs, set variables and connections, copy the DAGs into the DAGs folder, wait until Airflow has parsed them, and unpause them.',
    )
    .option('--specs <dir>', 'spec folder', DEFAULT_SPECS_DIR)
    .option(
      '--dags-folder <dir>',
      `Airflow's DAGs folder (env AIRFLOW_ML_DAGS_FOLDER, default ${DEFAULT_DAGS_DIR})`,
    )
    .option(
      '--bundle-repo <dir>',
      'git repository the DAGs folder is committed to, one version per deploy that changes it; the compose stack reads its DAGs from there (default: bundle.git beside the DAGs folder)',
    )
    .option('--no-bundle-repo', 'do not commit (an Airflow that reads the DAGs folder itself)')
    .option(
      '--data-root <dir>',
      'the data root as the Airflow processes see it, for fs_default (env AIRFLOW_ML_AIRFLOW_DATA_ROOT, else AIRFLOW_ML_DATA_ROOT, else ./data)',
    )
    .option(
      '--prod-dir <path>',
      'set Variable PROD_DIR (relative to the data root); without it an existing value is kept',
    )
    .option('--var <KEY=VALUE...>', 'also set these variables')
    .option('--parse-timeout <seconds>', 'how long to wait for Airflow to parse the DAGs', '360')
    .option('--no-unpause', 'leave the DAGs paused')
    .option(
      '--first-runs',
      'for DAGs that never ran, first trigger the runs that write what their first scheduled runs wait for (what `up` does)',
    )
    .option('--dry-run', 'print the plan; change nothing')
    .action(runDeploy);
}
