import * as path from 'node:path';
import { main } from '../../cli/main';

/**
 * The CLI's real entry point in-process: commander, the command, and the exit code. Its
 * `.env` is the one in the test's working directory (AIRFLOW_ML_ENV_FILE), never the
 * checkout's, which belongs to the local stack.
 */
export async function runMain(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const log = jest
    .spyOn(console, 'log')
    .mockImplementation((...a: unknown[]) => void (stdout += `${a.join(' ')}\n`));
  const write = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      stdout += chunk.toString();
      return true;
    });
  const err = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      stderr += chunk.toString();
      return true;
    });
  const envFile = process.env.AIRFLOW_ML_ENV_FILE;
  process.env.AIRFLOW_ML_ENV_FILE = envFile ?? path.join(process.cwd(), '.env');
  try {
    const code = await main(['node', 'airflow-ml', ...args]);
    return { code, stdout, stderr };
  } finally {
    if (envFile === undefined) delete process.env.AIRFLOW_ML_ENV_FILE;
    log.mockRestore();
    write.mockRestore();
    err.mockRestore();
  }
}
