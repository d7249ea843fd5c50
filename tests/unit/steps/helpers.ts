import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StepError } from '../../../docker/steps/src/lib/errors';
import { run as generate } from '../../../docker/steps/generate/main';
import { run as preprocess } from '../../../docker/steps/preprocess/main';
import { run as split } from '../../../docker/steps/split/main';
import { run as train } from '../../../docker/steps/train/main';
import { run as validate } from '../../../docker/steps/validate/main';

export const DS = '2024-03-01';

// The steps confine every path to the data root (/data in a container); here it is /tmp.
process.env.AIRFLOW_ML_STEP_DATA_ROOT = fs.realpathSync(os.tmpdir());

const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

export function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-steps-'));
  made.push(d);
  return d;
}

/** Every file under dir, hidden temp files included, relative to dir. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

/** Runs fn, expecting a StepError whose message matches, and returns it. */
export function expectStepError(fn: () => unknown, message: RegExp, exitCode?: number): StepError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(StepError);
  const e = caught as StepError;
  expect(e.message).toMatch(message);
  expect(e.message).not.toContain('\n');
  if (exitCode !== undefined) expect(e.exitCode).toBe(exitCode);
  return e;
}

export interface PipelinePaths {
  root: string;
  data: string;
  target: string;
  processed: string;
  splits: string;
  transform: string;
  model: string;
  metrics: string;
}

export function paths(root: string): PipelinePaths {
  return {
    root,
    data: path.join(root, 'raw', DS, 'data.csv'),
    target: path.join(root, 'raw', DS, 'target.csv'),
    processed: path.join(root, 'processed', DS),
    splits: path.join(root, 'splits', DS),
    transform: path.join(root, 'processed', DS, 'transform.json'),
    model: path.join(root, 'models', DS, 'model.json'),
    metrics: path.join(root, 'models', DS, 'metrics.json'),
  };
}

export function runGenerate(p: PipelinePaths, rows: number, seed: number): void {
  generate([
    '--ds',
    DS,
    '--rows',
    `${rows}`,
    '--seed',
    `${seed}`,
    '--data',
    p.data,
    '--target',
    p.target,
  ]);
}

/** generate -> preprocess -> split -> train, as the DAG runs them. */
export function trainPipeline(rows: number, seed: number, root = tmpDir()): PipelinePaths {
  const p = paths(root);
  runGenerate(p, rows, seed);
  preprocess(['--ds', DS, '--data', p.data, '--target', p.target, '--out-dir', p.processed]);
  split(['--ds', DS, '--in-dir', p.processed, '--out-dir', p.splits, '--seed', `${seed}`]);
  train(['--ds', DS, '--in-dir', p.splits, '--transform', p.transform, '--model', p.model]);
  return p;
}

export function runValidate(p: PipelinePaths, extra: string[] = []): void {
  validate([
    '--ds',
    DS,
    '--in-dir',
    p.splits,
    '--model',
    p.model,
    '--metrics',
    p.metrics,
    ...extra,
  ]);
}

export function readJsonFile<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}
