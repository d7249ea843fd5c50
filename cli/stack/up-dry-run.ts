import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDotenv } from '../config/dotenv';
import { dockerClient } from '../docker-client';
import { imageTags } from '../images/tags';
import { compileProject, DEFAULT_SPECS_DIR } from '../project';
import { envFileOf, type StackLocation } from './project';
import { SECRET_ENV_KEYS } from './secrets';
import { ensureStackSettings, STACK_PROJECT_NAME } from './settings';

export interface UpDryRunOptions extends StackLocation {
  skipDeploy?: boolean;
  healthTimeoutMs: number;
}

/**
 * What `up` would do, as lines, writing nothing in the project. The env file's missing values
 * are found by running the real `ensureStackSettings` on a throw-away copy, so this never
 * disagrees with `up` about them; Docker is only read (which step images exist).
 * Deliberately simple: `up` is due to become plan/apply, and this moves into its plan.
 */
export async function describeUp(options: UpDryRunOptions): Promise<string[]> {
  const envFile = envFileOf(options);
  const lines = [`dry run: airflow-ml up would, with ${envFile}:`];
  const missing = missingSettings(options.root, envFile);
  lines.push(
    missing.length === 0
      ? '  1. keep every value in the env file (nothing is missing)'
      : `  1. ${fs.existsSync(envFile) ? 'add to' : 'create'} the env file (mode 0600): ${missing.join(', ')}`,
  );
  const secretsDir =
    readValue(envFile, 'AIRFLOW_ML_SECRETS_DIR') ?? path.join(path.dirname(envFile), '.secrets');
  lines.push(`  2. write the secret files in ${secretsDir} from ${SECRET_ENV_KEYS.join(', ')}`);
  lines.push(
    `  3. build the step images that are missing: ${await missingStepImages(options.root)}`,
  );
  lines.push(
    `  4. start docker-compose.yml as project ${STACK_PROJECT_NAME} and wait up to ${options.healthTimeoutMs / 1000} s for every service to be healthy`,
  );
  if (options.skipDeploy) {
    lines.push('  5. not deploy the DAGs (--no-deploy)');
  } else {
    const compiled = compileProject({ root: options.root, specsDir: DEFAULT_SPECS_DIR });
    const ids =
      compiled.diagnostics.length > 0
        ? ['(the specs are invalid: run validate)']
        : [...compiled.files.keys()].map((f) => f.replace(/\.py$/, '')).sort();
    lines.push(
      `  5. deploy the DAGs, trigger the first runs they wait for, and unpause: ${ids.join(', ')}`,
    );
  }
  lines.push('nothing was written or started');
  return lines;
}

function missingSettings(root: string, envFile: string): string[] {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-up-dry-run-'));
  try {
    const copy = path.join(scratch, '.env');
    if (fs.existsSync(envFile)) fs.copyFileSync(envFile, copy);
    return ensureStackSettings({ root, envFile: copy, dockerGid: 0 }).written;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function readValue(envFile: string, key: string): string | undefined {
  if (process.env[key]) return process.env[key];
  try {
    return parseDotenv(fs.readFileSync(envFile, 'utf8')).get(key) || undefined;
  } catch {
    return undefined;
  }
}

async function missingStepImages(root: string): Promise<string> {
  const wanted = Object.values(imageTags(root)).sort();
  try {
    const docker = await dockerClient();
    await docker.ping();
    const missing: string[] = [];
    for (const ref of wanted) {
      try {
        await docker.getImage(ref).inspect();
      } catch {
        missing.push(ref);
      }
    }
    return missing.length === 0 ? 'none (all present)' : missing.join(', ');
  } catch {
    return `cannot tell, Docker is not reachable (${wanted.length} images)`;
  }
}
