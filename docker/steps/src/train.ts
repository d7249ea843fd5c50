import * as fs from 'node:fs';
import * as path from 'node:path';
import { param, parseStepArgs } from './lib/args';
import { withOutputs } from './lib/atomic';
import { inputError } from './lib/errors';
import { readJson, toJson } from './lib/json';
import { designChunk, planDesign, type Design, type DesignPlan } from './lib/design';
import { margins } from './lib/kernel';
import { fitLogisticStream, type DesignSource } from './lib/logreg';
import { runMain, type StepResult } from './lib/main';
import { MATRIX_CHUNK_ROWS, MatrixReader } from './lib/matrix';
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
    // Out of core: every Newton evaluation is one pass over train.bin, a chunk at a time.
    const parts = { x: true, rowIndex: false };
    let positives = 0;
    let passes = 0;
    const plan = planDesign((fn) => {
      const count = passes++ === 0; // the classes are counted on the plan's first pass
      m.forEach((ch) => {
        fn(ch.x, ch.n);
        if (count) for (let i = 0; i < ch.n; i++) positives += ch.y[i];
      }, parts);
    }, m.cols);
    if (positives === 0 || positives === m.rows) {
      throw inputError(
        `${inFile}: the target has only class ${positives ? 1 : 0}; a classifier needs both classes`,
      );
    }
    const src = cachedSource(m, plan, parts);
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

/**
 * The compact rows of train.bin, pass after pass. The first chunks, up to
 * DESIGN_CACHE_BYTES of compact rows, are kept after the first pass; the rest are read
 * and compacted again on every pass. Memory is that fixed budget plus one chunk whatever
 * the rows; small data never touches the disk twice. Chunks are summed in file order
 * either way, so the cache changes no figure.
 */
export const DESIGN_CACHE_BYTES = 64 * 2 ** 20;

function cachedSource(
  m: MatrixReader,
  plan: DesignPlan,
  parts: { x: boolean; rowIndex: boolean },
): DesignSource {
  // A test knob (the unit tests force the disk path on small data); not a step flag.
  const budget = Number(process.env.AIRFLOW_ML_DESIGN_CACHE_BYTES ?? DESIGN_CACHE_BYTES);
  const cache: { g: Design; y: Uint8Array }[] = [];
  let cachedRows = 0;
  let filled = false;
  let scratch: Design | undefined;
  const rowBytes = plan.denseCols.length * 8 + 5;
  return {
    plan,
    forEach: (fn) => {
      for (const c of cache) fn(c.g, c.y);
      let open = !filled;
      m.forEach(
        (ch) => {
          if (open && (cachedRows + ch.n) * rowBytes <= budget) {
            const c = { g: designChunk(plan, ch.x, ch.n), y: ch.y.slice(0, ch.n) };
            cache.push(c);
            cachedRows += ch.n;
            fn(c.g, c.y);
            return;
          }
          open = false;
          scratch = designChunk(plan, ch.x, ch.n, scratch);
          fn(scratch, ch.y);
        },
        parts,
        MATRIX_CHUNK_ROWS,
        cachedRows,
      );
      filled = true;
    },
  };
}

if (require.main === module) runMain('train', run);
