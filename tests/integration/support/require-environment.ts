import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Jest globalSetup for the integration project. These tests need the real Airflow venv and a
 * real Docker Engine; without them they FAIL here with what is missing and which script
 * provides it. They never pass by skipping. `.ci/run` provisions all of it.
 */
export default function requireEnvironment(): void {
  const root = path.resolve(__dirname, '..', '..', '..');
  const missing: string[] = [];
  const airflow = path.join(root, '.venv-airflow', 'bin', 'airflow');
  if (!fs.existsSync(airflow)) {
    missing.push(`the Airflow 3.3 venv (${airflow}): run scripts/airflow-venv.sh`);
  }
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 });
  } catch {
    missing.push(
      'a running Docker Engine (`docker info` fails): run scripts/ensure-docker.sh (as root on Debian it installs and starts docker.io)',
    );
  }
  const base = process.env.AIRFLOW_ML_NODE_BASE ?? 'airflow-ml-local/node:bookworm';
  if (missing.length === 0 && !hasImage(base) && !hasImage('node:20-bookworm-slim')) {
    missing.push(
      `a Node base image (${base} or node:20-bookworm-slim): run scripts/build-base-images.sh`,
    );
  }
  const python = process.env.AIRFLOW_ML_PYTHON_BASE ?? 'airflow-ml-local/python:bookworm';
  if (missing.length === 0 && !hasImage(python) && !hasImage('python:3.11-slim-bookworm')) {
    missing.push(
      `a Python base image for the Python steps (${python} or python:3.11-slim-bookworm): run scripts/build-base-images.sh`,
    );
  }
  if (missing.length > 0) {
    throw new Error(
      `integration tests cannot run; missing:\n  - ${missing.join('\n  - ')}\n` +
        'On a fresh Debian machine `bash .ci/run` provisions everything.',
    );
  }
}

function hasImage(ref: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', ref], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}
