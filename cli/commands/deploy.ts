import type { Command } from 'commander';
import {
  clientFromFlags,
  positiveNumber,
  withAirflowOptions,
  type AirflowCommandFlags,
} from '../config/cli-options';
import { note, out } from '../output/print';
import { loadEnv } from '../base/env';
import { deploy } from '../ops/deploy/deploy';
import { describePlan } from '../ops/deploy/plan';
import { deployLocations, parseVarFlags } from '../ops/deploy/settings';
import { projectRoot } from '../base/paths';
import { compileOrThrow, DEFAULT_DAGS_DIR, DEFAULT_SPECS_DIR } from '../compiler/project';

interface DeployFlags extends AirflowCommandFlags {
  specs: string;
  dagsFolder?: string;
  /** A path, or false with --no-bundle-repo. */
  bundleRepo?: string | false;
  dataRoot?: string;
  prodDir?: string;
  var?: string[];
  parseTimeout?: string;
  unpause: boolean;
  firstRuns?: boolean;
  dryRun?: boolean;
}

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
    .action((flags: DeployFlags) => runDeploy(flags));
}

async function runDeploy(flags: DeployFlags): Promise<void> {
  // Flags first: a usage error needs no configuration and no server.
  const variables = parseVarFlags(flags.var);
  const parseTimeoutMs = positiveNumber('--parse-timeout', flags.parseTimeout, 360) * 1000;
  const [root, env] = [projectRoot(), loadEnv()];
  const { plan, result } = await deploy(clientFromFlags(flags, env), {
    compile: () => compileOrThrow({ root, specsDir: flags.specs }),
    ...deployLocations(flags, env, root),
    prodDir: flags.prodDir,
    variables,
    env,
    unpause: flags.unpause,
    firstRuns: flags.firstRuns,
    dryRun: flags.dryRun,
    parseTimeoutMs,
    report: (e) => note(`[${e.phase}] ${e.message}`),
  });
  if (!result) describePlan(plan).forEach((l) => out(l));
  else out(`deployed ${plan.dagIds.length} DAG(s): ${plan.dagIds.join(', ') || 'none'}`);
}
