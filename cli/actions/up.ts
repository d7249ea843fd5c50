import { positiveNumber } from '../config/cli-options';
import { note, out } from '../output/print';
import { projectRoot } from '../base/paths';
import type { ExecutorFlags } from '../ops/stack/executor';
import { planUpHere, up } from '../ops/stack/up';
import { describeUpPlan } from '../ops/stack/up-plan';

export interface UpFlags extends ExecutorFlags {
  stackEnvFile?: string;
  healthTimeout?: string;
  deploy: boolean;
  dryRun?: boolean;
}

/** `airflow-ml up`: plan, then apply (cli/ops/stack/up); --dry-run prints the plan only. */
export async function runUp(flags: UpFlags): Promise<void> {
  const healthTimeoutMs = positiveNumber('--health-timeout', flags.healthTimeout, 600) * 1000;
  const options = {
    root: projectRoot(),
    envFile: flags.stackEnvFile,
    healthTimeoutMs,
    skipDeploy: !flags.deploy,
    executor: { executor: flags.executor, workers: flags.workers, queues: flags.queues },
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
  out(result.executor);
  out(result.alerts);
}
