import * as path from 'node:path';
import { parseStepArgs } from './lib/args';
import { withOutputs } from './lib/atomic';
import { checkError, inputError } from './lib/errors';
import { toJson } from './lib/json';
import { predictProba } from './lib/logreg';
import { runMain, type StepResult } from './lib/main';
import { readMatrix } from './lib/matrix';
import { classificationMetrics } from './lib/metrics';
import { checkSameFeatures, readModel } from './lib/model';

/**
 * validate: score in-dir/val.bin with model.json and write metrics.json. With --min-roc-auc,
 * a model below the threshold fails the step and NO metrics.json is written: downstream
 * tasks and sensors treat the presence of metrics.json as "this model passed". The failure
 * line carries the figures instead.
 */
export const METRICS_VERSION = 1;

export function run(argv: readonly string[]): StepResult {
  const args = parseStepArgs('validate', argv);
  const minRocAuc = args.params['min-roc-auc'];
  const inFile = path.join(args.paths['in-dir'], 'val.bin');
  const model = readModel(args.paths.model);
  const m = readMatrix(inFile);
  checkSameFeatures(inFile, m.features, model.features, args.paths.model);
  const prob = predictProba(m.x, m.rows, m.cols, model.weights, model.intercept);
  const metrics = classificationMetrics(prob, m.y);
  if (Number.isNaN(metrics.rocAuc)) {
    throw inputError(`${inFile}: the validation target has only one class; ROC AUC is undefined`);
  }
  const figures = `ROC AUC ${metrics.rocAuc.toFixed(4)}, accuracy ${metrics.accuracy.toFixed(4)}, F1 ${metrics.f1.toFixed(4)}, log loss ${metrics.logLoss.toFixed(4)} on ${metrics.rows} rows`;
  if (minRocAuc !== undefined && metrics.rocAuc < minRocAuc) {
    throw checkError(
      `ROC AUC ${metrics.rocAuc.toFixed(4)} is below --min-roc-auc ${minRocAuc}; model rejected, ${args.paths.metrics} not written (${figures})`,
    );
  }
  const report = {
    formatVersion: METRICS_VERSION,
    ds: args.ds,
    modelDs: model.ds,
    ...metrics,
    trainRows: model.training.rows,
    minRocAuc: minRocAuc ?? null,
    passed: true,
  };
  withOutputs((out) => out.writeFile(args.paths.metrics, toJson(report)));
  return { summary: `${figures}; wrote ${args.paths.metrics}` };
}

if (require.main === module) runMain('validate', run);
