import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, UsageError } from '../../base/errors';
import {
  listModelRefs,
  METRICS_FILE,
  MODEL_FILE,
  parseRef,
  readHistory,
  readProduction,
  refPath,
  switchProduction,
  type ModelRef,
  type Switch,
} from '../../../docker/steps/src/lib/registry';

/**
 * `airflow-ml models` on the host: the registry that the steps write (its layout and the
 * atomic switch are owned by docker/steps/src/lib/registry.ts, shared here, so a manual
 * promotion or rollback is exactly the switch the promote step makes).
 */

export type Verdict = 'passed' | 'rejected' | 'unvalidated';

export interface ModelRow {
  ds: string;
  version: string;
  /** Rows the model was trained on. */
  rows: number | null;
  rocAuc: number | null;
  accuracy: number | null;
  f1: number | null;
  verdict: Verdict;
  /** Why the gate failed, when it did. */
  reason: string | null;
  production: boolean;
}

export function modelsRoot(dataRoot: string): string {
  const root = path.join(dataRoot, 'models');
  if (!fs.existsSync(dataRoot)) {
    throw new ConfigError(
      `the data root ${dataRoot} does not exist`,
      'pass --data-root, or set AIRFLOW_ML_DATA_ROOT (airflow-ml up writes it to .env)',
    );
  }
  return root;
}

interface MetricsFile {
  rocAuc?: number;
  accuracy?: number;
  f1?: number;
  passed?: boolean;
  reason?: string | null;
}
interface ModelFile {
  training?: { rows?: number };
}

export function listModels(root: string): ModelRow[] {
  const production = productionOf(root);
  return listModelRefs(root).map((ref) => {
    const dir = path.join(root, ref.ds, ref.version);
    const model = readJsonOr<ModelFile>(path.join(dir, MODEL_FILE), {});
    const metrics = readJsonOr<MetricsFile | undefined>(path.join(dir, METRICS_FILE), undefined);
    return {
      ds: ref.ds,
      version: ref.version,
      rows: model.training?.rows ?? null,
      rocAuc: metrics?.rocAuc ?? null,
      accuracy: metrics?.accuracy ?? null,
      f1: metrics?.f1 ?? null,
      verdict: metrics === undefined ? 'unvalidated' : metrics.passed ? 'passed' : 'rejected',
      reason: metrics?.reason ?? null,
      production: production !== undefined && refPath(production) === refPath(ref),
    };
  });
}

/** The production model, with a corrupt alias reported as a configuration problem. */
export function productionOf(root: string): ModelRef | undefined {
  try {
    return readProduction(root);
  } catch (err) {
    throw new ConfigError(
      (err as Error).message,
      `remove the broken alias ${path.join(root, 'production')}, then run \`airflow-ml models promote DATE/VERSION\``,
    );
  }
}

/**
 * The model a user names: "<ds>/<version>", or a date alone for that date's newest passed
 * version (newest model.json).
 */
export function resolveModel(root: string, name: string): ModelRef {
  const exact = parseRef(name);
  const rows = listModels(root);
  if (exact) {
    if (!rows.some((r) => r.ds === exact.ds && r.version === exact.version)) {
      throw new UsageError(
        `no model ${name} under ${root}`,
        'list them with `airflow-ml models list`',
      );
    }
    return exact;
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(name)) {
    throw new UsageError(`"${name}" is neither a date (YYYY-MM-DD) nor a model <date>/<version>`);
  }
  const passed = rows
    .filter((r) => r.ds === name && r.verdict === 'passed')
    .map((r) => ({ r, at: fs.statSync(path.join(root, r.ds, r.version, MODEL_FILE)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  if (passed.length === 0) {
    throw new UsageError(
      `no validated model of ${name} under ${root}`,
      'list them with `airflow-ml models list`; a rejected model is promoted only by its full name and --force',
    );
  }
  return { ds: passed[0].r.ds, version: passed[0].r.version };
}

/** A manual promotion: the same atomic switch as the promote step, recorded as manual. */
export function promoteModel(root: string, ref: ModelRef, force = false): Switch {
  const row = listModels(root).find((r) => r.ds === ref.ds && r.version === ref.version);
  if (row && row.verdict !== 'passed' && !force) {
    throw new UsageError(
      `${refPath(ref)} is ${row.verdict}${row.reason ? ` (${row.reason})` : ''}; predict refuses such a model`,
      'promote a validated model, or pass --force if you know why',
    );
  }
  return owned(root, () =>
    switchProduction(root, ref, 'manual promotion', 'airflow-ml models promote'),
  );
}

/**
 * Back to the model that was in production before the current one: the `from` of the latest
 * switch to the current model that was not itself a rollback, so repeated rollbacks keep
 * walking back instead of toggling.
 */
export function rollbackModel(root: string): Switch {
  const current = productionOf(root);
  if (!current)
    throw new UsageError(`no model is in production under ${root}; nothing to roll back`);
  const history = readHistory(root);
  const made = [...history].reverse().find((s) => s.to === refPath(current) && s.by !== ROLLBACK);
  const previous = made?.from ? parseRef(made.from) : undefined;
  if (!previous) {
    throw new UsageError(
      `${refPath(current)} was the first model in production; there is nothing to roll back to`,
    );
  }
  return owned(root, () =>
    switchProduction(root, previous, `rollback from ${refPath(current)}`, ROLLBACK),
  );
}

const ROLLBACK = 'airflow-ml models rollback';

/**
 * Runs a switch and, when this process is root (the usual case for a CLI next to a Docker
 * Engine), hands what it created to the owner of models/, so the next promote step (running
 * as the step user) can still swap the alias and append to the history.
 */
function owned<T>(root: string, fn: () => T): T {
  const result = fn();
  if (process.getuid?.() === 0) {
    const { uid, gid } = fs.statSync(root);
    for (const name of ['production', 'history.jsonl']) {
      const file = path.join(root, name);
      if (fs.existsSync(file) || isLink(file)) fs.lchownSync(file, uid, gid);
    }
  }
  return result;
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function readJsonOr<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return fallback;
  }
}

export { readHistory, refPath, type ModelRef, type Switch };
