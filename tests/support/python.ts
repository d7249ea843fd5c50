import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const VENV_PYTHON = path.join(ROOT, '.venv-airflow', 'bin', 'python');

/** The venv's Python when it exists, else the machine's python3 (enough for `ast`). */
export function python(): string {
  return fs.existsSync(VENV_PYTHON) ? VENV_PYTHON : 'python3';
}

export function runPythonJson<T>(script: string, input: unknown, interpreter = python()): T {
  const out = execFileSync(interpreter, [path.join(ROOT, 'tests', 'python', script)], {
    input: JSON.stringify(input),
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(out.toString('utf8')) as T;
}
