import * as path from 'node:path';
import { formatTable } from '../output/table';
import { envValue, loadEnv } from '../base/env';
import { note, out, outText } from '../output/print';
import { readCardInputs, renderModelCard } from '../ops/models/card';
import {
  listModels,
  modelsRoot,
  promoteModel,
  productionOf,
  refPath,
  resolveModel,
  rollbackModel,
  type ModelRow,
} from '../ops/models/registry';
import { writeFileAtomic } from '../base/atomic-write';
import { ConfigError, UsageError } from '../base/errors';

export interface DataRootFlags {
  dataRoot?: string;
}

/** `models list`: one row per model version, as a table or JSON. */
export function runModelsList(flags: DataRootFlags & { json?: boolean }): void {
  const rows = listModels(rootOf(flags));
  out(flags.json ? JSON.stringify(rows, null, 2) : modelTable(rows));
}

/** `models promote MODEL`: the same atomic switch as the promote step. */
export function runModelsPromote(name: string, flags: DataRootFlags & { force?: boolean }): void {
  const root = rootOf(flags);
  const s = promoteModel(root, resolveModel(root, name), flags.force);
  out(`production: ${s.from ?? '(none)'} -> ${s.to}`);
}

/** `models rollback`: production back to the model it replaced. */
export function runModelsRollback(flags: DataRootFlags): void {
  const s = rollbackModel(rootOf(flags));
  out(`production: ${s.from} -> ${s.to} (rollback)`);
}

/** `models show MODEL`: a self-contained HTML model card, to a file or standard output. */
export function runModelsShow(name: string, flags: DataRootFlags & { output: string }): void {
  const root = rootOf(flags);
  const ref = resolveModel(root, name);
  const { model, metrics } = readCardInputs(root, ref);
  const production = productionOf(root);
  const html = renderModelCard(
    ref,
    model,
    metrics,
    production !== undefined && refPath(production) === refPath(ref),
  );
  if (flags.output === '-') {
    outText(html);
    note(`wrote the model card of ${refPath(ref)} to standard output`);
    return;
  }
  try {
    writeFileAtomic(flags.output, html);
  } catch (err) {
    throw new ConfigError(
      `cannot write the model card to ${flags.output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'give a writable path with --output',
    );
  }
  out(`wrote ${path.resolve(flags.output)} (model ${refPath(ref)})`);
}

function rootOf(flags: DataRootFlags): string {
  const dataRoot = flags.dataRoot ?? envValue(loadEnv(), 'AIRFLOW_ML_DATA_ROOT');
  if (!dataRoot) {
    throw new UsageError(
      'no data root: pass --data-root or set AIRFLOW_ML_DATA_ROOT',
      '`airflow-ml up` writes AIRFLOW_ML_DATA_ROOT to .env',
    );
  }
  return modelsRoot(path.resolve(dataRoot));
}

function modelTable(rows: ModelRow[]): string {
  if (rows.length === 0) return 'no models yet (train_model writes models/<date>/<version>)';
  const n = (v: number | null) => (v === null ? '-' : v.toFixed(4));
  return formatTable(
    ['date', 'version', 'rows', 'roc_auc', 'accuracy', 'f1', 'verdict', 'production'],
    rows.map((r) => [
      r.ds,
      r.version,
      r.rows === null ? '-' : String(r.rows),
      n(r.rocAuc),
      n(r.accuracy),
      n(r.f1),
      r.verdict === 'rejected' && r.reason ? `rejected: ${r.reason}` : r.verdict,
      r.production ? 'yes' : '',
    ]),
  );
}
