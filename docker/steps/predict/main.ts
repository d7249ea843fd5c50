import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseStepArgs } from '../src/lib/args';
import { withOutputs } from '../src/lib/atomic';
import { CsvStream } from '../src/lib/csv-read';
import { CsvBytes } from '../src/lib/csv-write';
import { runMain, type StepResult } from '../src/lib/main';
import { inputError } from '../src/lib/errors';
import { readJson, toJson } from '../src/lib/json';
import { modelDs, modelTransform, readAnyModel, scoreRawRows } from '../src/lib/any-model';
import { METRICS_FILE } from '../src/lib/registry';
import { transformColumns } from '../src/lib/transform';

/**
 * predict: apply model.json (its preprocessing, then its weights or trees) to a raw data.csv and write
 * predictions.csv: header "class,probability", one row per input row in input order, where
 * probability is P(target = 1) and class is 1 when it exceeds 0.5.
 */
/** Written beside predictions.csv: the model (its real path) that scored the rows. */
export const PREDICTION_META = 'prediction-meta.json';

export function run(argv: readonly string[]): StepResult {
  const args = parseStepArgs('predict', argv);
  // Resolve the production alias once: a promotion during this run cannot mix two models.
  const modelFile = fs.realpathSync(args.paths.model);
  requirePassed(modelFile);
  const model = readAnyModel(modelFile);
  const t = modelTransform(model);
  const unseen = new Map<string, number>();
  let positives = 0;
  let rows = 0;
  withOutputs((out) => {
    const f = out.open(args.paths.predictions);
    f.write('class,probability\n');
    const csv = new CsvBytes(f);
    // A batch of rows at a time: memory is set by the batch, not the file.
    const data = CsvStream.open(args.paths.data, transformColumns(t));
    try {
      for (let b = data.next(); b; b = data.next()) {
        const scored = scoreRawRows(model, b);
        const prob = scored.prob;
        for (const [col, n] of scored.unseen) unseen.set(col, (unseen.get(col) ?? 0) + n);
        const nan = prob.findIndex((p) => !Number.isFinite(p));
        if (nan >= 0) {
          throw inputError(
            `${args.paths.data}:${b.firstRow + nan + 2}: the model gives no probability for this row (its weights overflow); retrain it`,
          );
        }
        for (let i = 0; i < b.rows; i++) {
          const cls = prob[i] > 0.5 ? 1 : 0;
          positives += cls;
          csv.reserve(16); // "c,0.dddddd\n" is 11 bytes
          csv.byte(48 + cls);
          csv.byte(44);
          csv.fixed(prob[i], 6);
          csv.byte(10);
        }
      }
      rows = data.rowsRead;
    } finally {
      data.close();
    }
    csv.flush();
    // Which model scored these rows, for audits and `airflow-ml models`.
    out.writeFile(
      path.join(path.dirname(args.paths.predictions), PREDICTION_META),
      toJson({ ds: args.ds, model: modelFile, modelDs: modelDs(model), rows }),
    );
  });
  const notes = [...unseen].map(
    ([col, n]) => `; ${n} rows with a ${col} unseen in training (encoded as all zeros)`,
  );
  return {
    summary: `scored ${rows} rows (${positives} predicted positive)${notes.join('')}; wrote ${args.paths.predictions}`,
  };
}

/** Only a model whose metrics.json (beside it) says it passed validation may score. */
function requirePassed(modelFile: string): void {
  const metricsFile = path.join(path.dirname(modelFile), METRICS_FILE);
  if (!fs.existsSync(metricsFile)) {
    throw inputError(
      `${modelFile}: no ${METRICS_FILE} beside it; only a validated model may predict (run train_model, or point PROD_DIR at a validated model)`,
    );
  }
  const metrics = readJson(metricsFile) as { passed?: unknown; reason?: unknown };
  if (metrics.passed !== true) {
    throw inputError(
      `${modelFile}: failed validation${typeof metrics.reason === 'string' ? ` (${metrics.reason})` : ''}; it may not predict`,
    );
  }
}

if (require.main === module) runMain('predict', run);
