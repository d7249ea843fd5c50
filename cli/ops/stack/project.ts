import * as path from 'node:path';
import { detectCompose, type ComposeProject } from './compose';
import { STACK_PROJECT_NAME } from './settings';

/** Where the stack's files are, as `up` and `down` take them from flags. */
export interface StackLocation {
  /** The project checkout: docker-compose.yml, airflow/dags, scripts/. */
  root: string;
  /** Default <root>/.env. */
  envFile?: string;
}

export function envFileOf(location: StackLocation): string {
  return path.resolve(location.envFile ?? path.join(location.root, '.env'));
}

export async function composeProject(location: StackLocation): Promise<ComposeProject> {
  return {
    compose: await detectCompose(),
    root: location.root,
    name: STACK_PROJECT_NAME,
    envFile: envFileOf(location),
  };
}
