import * as path from 'node:path';
import type { Command } from 'commander';
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

interface DataRootFlags {
  dataRoot?: string;
}

/** `models`: the registry in the data root (list, promote, rollback, show). */
export function registerModels(program: Command): void {
  const models = program
    .command('models')
    .description('The model registry in the data root: list, promote, roll back, model cards.');
  const withRoot = (c: Command) =>
    c.option(
      '--data-root <dir>',
      'the data root (default: AIRFLOW_ML_DATA_ROOT from the environment or .env)',
    );

  withRoot(models.command('list'))
    .description(
      'One row per model version: date, rows, ROC AUC, accuracy, F1, verdict, production.',
    )
    .option('--json', 'print JSON (an array of objects) instead of a table')
    .action((flags: DataRootFlags & { json?: boolean }) => {
      const rows = listModels(rootOf(flags));
      out(flags.json ? JSON.stringify(rows, null, 2) : modelTable(rows));
    });

  withRoot(models.command('promote'))
    .description('Make a model the production model (the same atomic switch as the promote step).')
    .argument('<model>', 'a date (its newest validated model) or <date>/<version>')
    .option('--force', 'also promote a model that failed or skipped validation')
    .action((name: string, flags: DataRootFlags & { force?: boolean }) => {
      const root = rootOf(flags);
      const s = promoteModel(root, resolveModel(root, name), flags.force);
      out(`production: ${s.from ?? '(none)'} -> ${s.to}`);
    });

  withRoot(models.command('rollback'))
    .description('Switch production back to the model it replaced.')
    .action((flags: DataRootFlags) => {
      const s = rollbackModel(rootOf(flags));
      out(`production: ${s.from} -> ${s.to} (rollback)`);
    });

  withRoot(models.command('show'))
    .description(
      'Write a self-contained HTML model card (ROC curve, confusion matrix, coefficients).',
    )
    .argument('<model>', 'a date (its newest validated model) or <date>/<version>')
    .option('-o, --output <file>', 'where to write it (- for standard output)', 'model-card.html')
    .action((name: string, flags: DataRootFlags & { output: string }) => {
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
    });
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
