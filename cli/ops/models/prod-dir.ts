import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../base/errors';
import { METRICS_FILE, MODEL_FILE } from '../../../docker/steps/src/lib/registry';

/**
 * What PROD_DIR may be: the one owner of that rule, for `set-variable PROD_DIR` and
 * `deploy --prod-dir`. PROD_DIR is rendered into a FileSensor path and a step's --model flag,
 * so it must be a clean path relative to the data root (no "..", no absolute path, no glob
 * character) and, where the data root is on this machine, name a model that passed
 * validation. The DAG and the steps refuse bad paths again at run time; this says so before
 * a run waits on it.
 */
export function checkProdDir(value: string, dataRoot?: string, force = false): string[] {
  const problem = formatProblem(value);
  if (problem) {
    throw new UsageError(
      `PROD_DIR ${JSON.stringify(value)} ${problem}`,
      'give a model folder relative to the data root, e.g. models/production (the alias promotion moves) or models/2026-03-02/train_model__<run id>',
    );
  }
  if (!dataRoot || !fs.existsSync(dataRoot)) {
    return [
      `note: the data root is not on this machine, so PROD_DIR=${value} was checked for its form only`,
    ];
  }
  const folder = path.join(dataRoot, value);
  const real = realOrUndefined(folder);
  const realRoot = fs.realpathSync(dataRoot);
  if (real !== undefined && real !== realRoot && !real.startsWith(`${realRoot}/`)) {
    throw new UsageError(`PROD_DIR ${value} leads to ${real}, outside the data root ${dataRoot}`);
  }
  const verdict = modelVerdict(folder);
  if (verdict === 'passed' || force) return [];
  throw new UsageError(
    `PROD_DIR ${value}: ${verdict === 'missing' ? `no ${MODEL_FILE} in ${folder}` : verdict}`,
    'list the models with `airflow-ml models list`, or pass --force to set it anyway',
  );
}

function formatProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value.startsWith('/') || /^[A-Za-z]:/.test(value))
    return 'is absolute; it must be relative to the data root';
  // eslint-disable-next-line no-control-regex
  if (/[*?[\]\\\u0000-\u001f\u007f]/.test(value)) {
    return 'has a glob, backslash or control character';
  }
  const segments = value.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '..' || s === '.' || s === '')) {
    return 'leaves the data root or is not a clean path (".", ".." or an empty segment)';
  }
  if (value.includes('{{') || value.includes('{%')) return 'contains Jinja';
  return undefined;
}

function modelVerdict(folder: string): 'passed' | 'missing' | string {
  if (!fs.existsSync(path.join(folder, MODEL_FILE))) return 'missing';
  try {
    const m = JSON.parse(fs.readFileSync(path.join(folder, METRICS_FILE), 'utf8')) as {
      passed?: boolean;
      reason?: string;
    };
    if (m.passed === true) return 'passed';
    return `the model failed validation${m.reason ? ` (${m.reason})` : ''}; predict would refuse it`;
  } catch {
    return `the model has no readable ${METRICS_FILE}: it was never validated; predict would refuse it`;
  }
}

function realOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}
