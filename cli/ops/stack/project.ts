import * as path from 'node:path';
import { readDotenvFile } from '../../base/dotenv';
import { detectCompose, type ComposeProject } from './compose';
import { composeLayout, recordedExecutor, type ExecutorChoice } from './executor';
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

/** The executor the env file records (the process environment wins, as with compose). */
export function executorOf(location: StackLocation): ExecutorChoice {
  const fileEnv = Object.fromEntries(readDotenvFile(envFileOf(location)));
  return recordedExecutor({ ...fileEnv, ...definedOnly(process.env) });
}

/** The compose project; its files and profiles follow `executor`, else what the env file records. */
export async function composeProject(
  location: StackLocation,
  executor: ExecutorChoice = executorOf(location),
): Promise<ComposeProject> {
  return {
    compose: await detectCompose(),
    root: location.root,
    name: STACK_PROJECT_NAME,
    envFile: envFileOf(location),
    ...composeLayout(executor),
  };
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => Boolean(e[1])),
  );
}
