import * as path from 'node:path';
import { AirflowClient } from '../airflow/client';
import { defaultBundleRepo } from '../deploy/bundle-repo';
import { deploy } from '../deploy/deploy';
import type { DeployResult } from '../deploy/types';
import { compileOrThrow, DEFAULT_DAGS_DIR } from '../../compiler/project';
import type { StackSettings } from './settings';

/**
 * Deploy the project's DAGs to the stack with the deploy library: compile, PROD_DIR (kept if
 * set), fs_default = the data root (mounted at the same path in the containers), smtp_default
 * from SMTP_*, copy into airflow/dags and commit it to airflow/bundle.git (the versioned DAG
 * bundle the stack reads), wait for parsing, trigger what the first scheduled runs need
 * (first-runs.ts), unpause.
 */
export async function deployToStack(
  root: string,
  settings: StackSettings,
  report: (line: string) => void,
): Promise<DeployResult | undefined> {
  const client = new AirflowClient({
    url: settings.url,
    username: settings.username,
    password: settings.password,
  });
  const { result } = await deploy(client, {
    compile: () => compileOrThrow({ root }),
    // A fresh stack closes the loop by itself (README, "What happens after up").
    firstRuns: true,
    dagsFolder: path.join(root, DEFAULT_DAGS_DIR),
    // What the stack's dag-processor and tasks read (docker-compose.yml mounts it).
    bundleRepo: defaultBundleRepo(path.join(root, DEFAULT_DAGS_DIR)),
    dataRoot: settings.dataRoot,
    env: settings.env,
    report: (e) => report(`[deploy ${e.phase}] ${e.message}`),
  });
  return result;
}
