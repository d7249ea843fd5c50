import * as fs from 'node:fs';
import * as path from 'node:path';
import { param, parseStepArgs } from './lib/args';
import { withOutputs } from './lib/atomic';
import { inputError } from './lib/errors';
import { readJson, toJson } from './lib/json';
import { fitLogistic } from './lib/logreg';
import { runMain, type StepResult } from './lib/main';
import { readMatrix } from './lib/matrix';
import { classificationMetrics } from './lib/metrics';
import { checkSameFeatures, MODEL_FORMAT, MODEL_VERSION, type Model } from './lib/model';
import { METRICS_FILE } from './lib/registry';
import { checkTransform } from './lib/transform';

/**
 * train: fit L2 logistic regression on in-dir/train.bin and write model.json with the
 * fitted preprocessing from --transform, so the model alone can score raw data.
 */
export function run(argv: readonly string[]): StepResult {
  const args = parseStepArgs('train', argv);
  // Models are write-once: once validate has judged a model, no retry or re-run may replace
  // it (it may be in production). A retry before that point rewrites its own unjudged model.
  const judged = path.join(path.dirname(args.paths.model), METRICS_FILE);
  if (fs.existsSync(judged)) {
    throw inputError(
      `${path.dirname(args.paths.model)} already holds a validated model (${METRICS_FILE}); models are write-once: start a new run to train a new version`,
    );
  }
  const c = param(args, 'c');
  const maxIter = param(args, 'max-iter');
  const inFile = path.join(args.paths['in-dir'], 'train.bin');
  const transform = checkTransform(args.paths.transform, readJson(args.paths.transform));
  const m = readMatrix(inFile);
  checkSameFeatures(inFile, m.features, transform.features, args.paths.transform);
  let positives = 0;
  for (let i = 0; i < m.rows; i++) positives += m.y[i];
  if (positives === 0 || positives === m.rows) {
    throw inputError(
      `${inFile}: the target has only class ${positives ? 1 : 0}; a classifier needs both classes`,
    );
  }

  const fit = fitLogistic(m.x, m.y, m.rows, m.cols, { c, maxIter });
  const metrics = classificationMetrics(
    fit.margins.map((z) => 1 / (1 + Math.exp(-z))),
    m.y,
  );
  const model: Model = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_VERSION,
    ds: args.ds,
    features: m.features,
    preprocessing: transform,
    weights: Array.from(fit.weights),
    intercept: fit.intercept,
    hyperparameters: { c, maxIter },
    training: {
      ...metrics,
      iterations: fit.iterations,
      converged: fit.converged,
      objective: fit.objective,
      gradientMax: fit.gradientMax,
    },
  };
  withOutputs((out) => out.writeFile(args.paths.model, toJson(model, args.paths.model)));
  const note = fit.converged
    ? ''
    : ` (NOT converged after --max-iter ${maxIter}; consider raising it)`;
  return {
    summary: `trained on ${m.rows} rows in ${fit.iterations} Newton iterations${note}; train ROC AUC ${metrics.rocAuc.toFixed(4)}; wrote ${args.paths.model}`,
  };
}

if (require.main === module) runMain('train', run);
