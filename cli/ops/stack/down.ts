import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mustCompose } from './compose';
import { requireEngine } from './engine';
import { composeProject, type StackLocation } from './project';
import { parseDotenv } from '../../base/dotenv';

export interface DownOptions extends StackLocation {
  /** Also delete the postgres volume (users, runs, variables, connections). */
  volumes?: boolean;
  report?: (line: string) => void;
}

/**
 * Stop and remove the stack's containers and network. The postgres volume (Airflow's
 * metadata: runs, PROD_DIR, connections) is kept unless `volumes`; the data root and the
 * env file are never touched.
 */
export async function down(options: DownOptions): Promise<void> {
  await requireEngine();
  const project = await composeProject(options);
  // compose interpolates the whole file even to stop it; with no env file yet (nothing was
  // ever started) an empty one and a placeholder for the required value let it proceed.
  let tempDir: string | undefined;
  const values = fs.existsSync(project.envFile)
    ? parseDotenv(fs.readFileSync(project.envFile, 'utf8'))
    : new Map<string, string>();
  if (!fs.existsSync(project.envFile)) {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-down-'));
    project.envFile = path.join(tempDir, 'empty.env');
    fs.writeFileSync(project.envFile, '');
  }
  const placeholders: Record<string, string> = {};
  if (!values.get('AIRFLOW_ML_DATA_ROOT') && !process.env.AIRFLOW_ML_DATA_ROOT) {
    placeholders.AIRFLOW_ML_DATA_ROOT = '/nonexistent';
  }
  try {
    const args = ['down', '--remove-orphans', ...(options.volumes ? ['--volumes'] : [])];
    await mustCompose(project, args, (l) => options.report?.(`  ${l}`), placeholders);
  } finally {
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  }
}
