import type { Command } from 'commander';
import { positiveNumber } from '../config/cli-options';
import { note, out } from '../output/print';
import { projectRoot } from '../base/paths';
import { planUpHere, up } from '../ops/stack/up';
import { describeUpPlan } from '../ops/stack/up-plan';

interface UpFlags {
  stackEnvFile?: string;
  healthTimeout?: string;
  deploy: boolean;
  dryRun?: boolean;
}

/** `airflow-ml up`: a thin adapter over cli/ops/stack/up. */
export function registerUp(program: Command): void {
  program
    .command('up')
    .description(
      'Start the local Airflow 3.3 stack (docker-compose.yml): fill in .env, write the secret files from it, check the SMTP server when SMTP_HOST is set, build the images, wait until every service is healthy, deploy the DAGs, print the UI URL, where the login is kept and where alerts go.',
    )
    .option(
      '--stack-env-file <file>',
      'stack settings (default <project>/.env; missing values are added)',
    )
    .option('--health-timeout <seconds>', 'how long services may take to become healthy', '600')
    .option('--no-deploy', 'start the stack without deploying the DAGs')
    .option('--dry-run', 'print what up would do; write and start nothing')
    .action(async (flags: UpFlags) => {
      const healthTimeoutMs = positiveNumber('--health-timeout', flags.healthTimeout, 600) * 1000;
      const options = {
        root: projectRoot(),
        envFile: flags.stackEnvFile,
        healthTimeoutMs,
        skipDeploy: !flags.deploy,
        report: note,
      };
      if (flags.dryRun) return describeUpPlan(await planUpHere(options)).forEach((l) => out(l));
      const result = await up(options);
      note(`timings: ${result.timings.map(([p, s]) => `${p} ${s.toFixed(1)}s`).join(', ')}`);
      if (result.deployedDags.length > 0) out(`deployed: ${result.deployedDags.join(', ')}`);
      // Never the password itself: terminals, CI logs and screen shares keep what is printed.
      out(
        `Airflow UI: ${result.url} (published on ${result.bindAddress}:${result.port}; AIRFLOW_BIND_ADDRESS in ${result.envFile} sets the interface)`,
      );
      out(`login: ${result.username}, password in ${result.envFile} (AIRFLOW_PASSWORD)`);
      out(`data root: ${result.dataRoot}`);
      out(result.alerts);
    });
}
