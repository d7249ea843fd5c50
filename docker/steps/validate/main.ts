import * as path from 'node:path';
import { parseStepArgs } from '../src/lib/args';
import { withOutputs } from '../src/lib/atomic';
import { checkError, inputError } from '../src/lib/errors';
import { toJson } from '../src/lib/json';
import { runMain, type StepResult } from '../src/lib/main';
import { MatrixReader } from '../src/lib/matrix';
import { streamMetrics } from '../src/lib/metrics';
import {
  matrixScorePass,
  modelDs,
  modelFeatures,
  readAnyModel,
  trainingMetrics,
} from '../src/lib/any-model';
import { checkSameFeatures } from '../src/lib/model';

/**
 * validate: score in-dir/val.bin with model.json (any kind: logistic or gradient-boosted) and write metrics.json beside the model,
 * with the gate's verdict: `passed` and, when it failed, `reason`. A model below
 * --min-roc-auc is kept and listed (its metrics say why), but the step fails with exit 4 so
 * the run stops before promotion and the alert names the figure. promote and predict only
 * accept a model whose metrics.json says "passed": true.
 */
export const METRICS_VERSION = 2;

export function run(argv: readonly string[]): StepResult {
  const args = parseStepArgs('validate', argv);
  const minRocAuc = args.params['min-roc-auc'] as number | undefined; // a number param (step.yaml)
  const inFile = path.join(args.paths['in-dir'], 'val.bin');
  const model = readAnyModel(args.paths.model);
  const m = MatrixReader.open(inFile);
  let scored;
  try {
    checkSameFeatures(inFile, m.features, modelFeatures(model), args.paths.model);
    // Streamed: the scores are computed again on each pass rather than held.
    scored = streamMetrics(matrixScorePass(model, m), { points: 101 });
  } finally {
    m.close();
  }
  const metrics = scored.metrics;
  if (Number.isNaN(metrics.rocAuc)) {
    throw inputError(`${inFile}: the validation target has only one class; ROC AUC is undefined`);
  }
  const figures = `ROC AUC ${metrics.rocAuc.toFixed(4)}, accuracy ${metrics.accuracy.toFixed(4)}, F1 ${metrics.f1.toFixed(4)}, log loss ${metrics.logLoss.toFixed(4)} on ${metrics.rows} rows`;
  const passed = minRocAuc === undefined || metrics.rocAuc >= minRocAuc;
  const reason = passed
    ? null
    : `ROC AUC ${metrics.rocAuc.toFixed(4)} is below the threshold ${minRocAuc} by ${((minRocAuc as number) - metrics.rocAuc).toFixed(4)}`;
  const report = {
    formatVersion: METRICS_VERSION,
    ds: args.ds,
    modelDs: modelDs(model),
    ...metrics,
    confusion: scored.confusion,
    roc: scored.curve,
    trainRows: trainingMetrics(model).rows,
    minRocAuc: minRocAuc ?? null,
    passed,
    reason,
  };
  withOutputs((out) => out.writeFile(args.paths.metrics, toJson(report, args.paths.metrics)));
  if (!passed) {
    throw checkError(`model rejected: ${reason} (${figures}); kept, not promoted`);
  }
  return { summary: `${figures}; passed; wrote ${args.paths.metrics}` };
}

if (require.main === module) runMain('validate', run);
