import * as fs from 'node:fs';
import * as path from 'node:path';
import { param, parseStepArgs } from './lib/args';
import { withOutputs } from './lib/atomic';
import { inputError } from './lib/errors';
import { readJson, toJson } from './lib/json';
import { designChunk, planDesign, type Design } from './lib/design';
import { margins } from './lib/kernel';
import { fitLogisticStream, type DesignSource } from './lib/logreg';
import { runMain, type StepResult } from './lib/main';
import { MatrixReader } from './lib/matrix';
import { streamMetrics } from './lib/metrics';
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
  const m = MatrixReader.open(inFile);
  let fit;
  let metrics;
  try {
    checkSameFeatures(inFile, m.features, transform.features, args.paths.transform);
    let positives = 0;
    m.forEach(
      (ch) => {
        for (let i = 0; i < ch.n; i++) positives += ch.y[i];
      },
      { x: false, rowIndex: false },
    );
    if (positives === 0 || positives === m.rows) {
      throw inputError(
        `${inFile}: the target has only class ${positives ? 1 : 0}; a classifier needs both classes`,
      );
    }
    // Out of core: every Newton evaluation is one pass over train.bin, a chunk at a time.
    const parts = { x: true, rowIndex: false };
    const plan = planDesign((fn) => m.forEach((ch) => fn(ch.x, ch.n), parts), m.cols);
    let g: Design | undefined;
    const src: DesignSource = {
      plan,
      forEach: (fn) =>
        m.forEach((ch) => {
          g = designChunk(plan, ch.x, ch.n, g);
          fn(g, ch.y);
        }, parts),
    };
    fit = fitLogisticStream(src, { c, maxIter });
    const theta = Float64Array.from([...fit.weights, fit.intercept]);
    let z = new Float64Array(0);
    metrics = streamMetrics((visit) =>
      src.forEach((dg, y) => {
        if (z.length < dg.n) z = new Float64Array(dg.n);
        margins(dg, theta, z);
        for (let i = 0; i < dg.n; i++) z[i] = 1 / (1 + Math.exp(-z[i]));
        visit(z, y, dg.n);
      }),
    ).metrics;
  } finally {
    m.close();
  }
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
    summary: `trained on ${metrics.rows} rows in ${fit.iterations} Newton iterations${note}; train ROC AUC ${metrics.rocAuc.toFixed(4)}; wrote ${args.paths.model}`,
  };
}

if (require.main === module) runMain('train', run);
