import type { AirflowClient } from '../airflow/client';
import { applyDeploy, type ApplyOptions } from './apply';
import { planDeploy, type PlanOptions } from './plan';
import type { CompileFn, DeployPlan, DeployResult } from './types';

export interface DeployOptions extends PlanOptions, ApplyOptions {
  compile: CompileFn;
  /** Plan only; Airflow and the DAGs folder are not touched. */
  dryRun?: boolean;
}

/** compile -> plan -> apply, reporting each phase. */
export async function deploy(
  client: AirflowClient,
  options: DeployOptions,
): Promise<{ plan: DeployPlan; result?: DeployResult }> {
  const report = options.report ?? (() => undefined);
  const compiled = await options.compile();
  report({ phase: 'compile', message: `${compiled.files.size} DAG file(s)` });
  const plan = planDeploy(compiled, options);
  if (options.dryRun) return { plan };
  return { plan, result: await applyDeploy(client, plan, options) };
}
