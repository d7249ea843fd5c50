import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../cli/main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout + stderr, for "never contains" checks. */
  all: string;
}

/** Variables a developer's shell may hold that would leak into a test run. */
const ISOLATED =
  /^(AIRFLOW_URL|AIRFLOW_USERNAME|AIRFLOW_PASSWORD|AIRFLOW_HTTP_TIMEOUT|AIRFLOW_ML_.*|SMTP_.*)$/;

/**
 * Run the CLI in this process through the real entry point (`main`: commander, the commands,
 * error printing and exit codes), with `env` as the only Airflow/SMTP settings and a fresh
 * empty cwd unless `cwd` is given; the project's .env is `cwd`/.env (AIRFLOW_ML_ENV_FILE). In-process, so a proxy or SMTP server in
 * the test keeps serving while the command runs, and the code under test is the source.
 */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  cwd: string = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-cwd-')),
): Promise<CliRun> {
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  for (const k of Object.keys(process.env)) if (ISOLATED.test(k)) delete process.env[k];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  // The run's settings file: `.env` in its own folder, never the checkout's (the local stack's).
  process.env.AIRFLOW_ML_ENV_FILE ??= path.join(cwd, '.env');
  let stdout = '';
  let stderr = '';
  const capture = (sink: (s: string) => void) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture((s) => (stdout += s)));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture((s) => (stderr += s)));
  process.chdir(cwd);
  try {
    const code = await main(['node', 'airflow-ml', ...args]);
    return { code, stdout, stderr, all: stdout + stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.chdir(savedCwd);
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
  }
}
