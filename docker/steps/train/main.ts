import * as fs from 'node:fs';
import * as path from 'node:path';
import { param, parseStepArgs } from '../src/lib/args';
import { withOutputs } from '../src/lib/atomic';
import { inputError } from '../src/lib/errors';
import { readJson, toJson } from '../src/lib/json';
import type { Design } from '../src/lib/design';
import { probabilities } from '../src/lib/kernel';
import { fitFromSample, fitLogisticStream } from '../src/lib/logreg';
import { runMain, type StepResult } from '../src/lib/main';
import { MATRIX_CHUNK_ROWS, MatrixReader } from '../src/lib/matrix';
import { MetricsPass, streamMetrics } from '../src/lib/metrics';
import {
  replayablePass,
  type RankOptions,
  SCORE_MEMO_ROWS,
  ScoreHistogram,
  type ScoreChunks,
  type ScorePass,
} from '../src/lib/ranking';
import { isPassHelper, PassHelper, servePassHelper, trainThreads } from '../src/lib/pass-helper';
import { checkSameFeatures, MODEL_FORMAT, MODEL_VERSION, type Model } from '../src/lib/model';
import { METRICS_FILE } from '../src/lib/registry';
import { sortScores } from '../src/lib/sort-scores';
import { trainSource, type TrainSource } from '../src/lib/train-source';
import { checkTransform } from '../src/lib/transform';

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
  // A second thread sums half of each Newton pass when two CPUs are there and the rows span
  // more than one chunk; started now, it boots while this thread plans the rows.
  const helper =
    m.rows > MATRIX_CHUNK_ROWS && trainThreads() > 1 ? PassHelper.start(__filename) : undefined;
  let fit;
  let metrics;
  let src: TrainSource | undefined;
  try {
    checkSameFeatures(inFile, m.features, transform.features, args.paths.transform);
    // Out of core: every Newton evaluation is one pass over the rows, a chunk at a time;
    // the rows the cache cannot hold are spilled once, compact, beside train.bin.
    const rows = trainSource(m, helper, args.paths['in-dir']);
    src = rows;
    const { positives } = rows;
    if (positives === 0 || positives === m.rows) {
      throw inputError(
        `${inFile}: the target has only class ${positives ? 1 : 0}; a classifier needs both classes`,
      );
    }
    // The scores at the solution come from the last Newton pass (its margins), so the
    // training metrics' first pass costs nothing; up to SCORE_MEMO_ROWS they are kept for
    // the ranking too (in shared memory: each thread writes its half). Otherwise (a last
    // step turned down) a pass of their own, as before.
    const first = new MetricsPass();
    const kept =
      m.rows <= SCORE_MEMO_ROWS
        ? {
            s: new Float64Array(new SharedArrayBuffer(8 * m.rows)),
            y: new Uint8Array(new SharedArrayBuffer(m.rows)),
          }
        : undefined;
    let at = 0;
    // Too many to keep: the metrics' first pass and the ranking's first histogram are fed
    // chunk by chunk by that Newton pass instead, saving their passes.
    const histogram = kept ? undefined : new ScoreHistogram(0, 1);
    const final = kept
      ? undefined
      : (g: Design, y: Uint8Array, prob: Float64Array) => {
          at += g.n;
          first.visit(prob, y, g.n);
          histogram?.add(prob, y, g.n);
        };
    const opts = { c, maxIter, final, keep: kept };
    fit = rows.sample
      ? fitFromSample(rows, m.rows, rows.sample, opts)
      : fitLogisticStream(rows, opts);
    const theta = Float64Array.from([...fit.weights, fit.intercept]);
    const scores: ScoreChunks = (fn) =>
      rows.forEach((dg, y) => fn(dg.n, y, (out) => probabilities(dg, theta, out)));
    if (fit.visitedFinal && (kept || at === m.rows)) {
      const pass: ScorePass = kept
        ? (visit) => visit(kept.s, kept.y, m.rows)
        : replayablePass(m.rows, scores);
      if (kept) pass(first.visit);
      metrics = first.finish(pass, { histogram, ...(helper && sortOnTwoThreads(helper)) }).metrics;
    } else {
      metrics = streamMetrics(replayablePass(m.rows, scores)).metrics;
    }
  } finally {
    helper?.close();
    src?.close();
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
  // Which threads did the work: the figures are the same either way (pass-helper.ts).
  const threads = !helper
    ? ''
    : helper.failure
      ? ` (the second thread failed: ${helper.failure}; went on with one)`
      : ' on 2 threads';
  return {
    summary: `trained on ${metrics.rows} rows in ${fit.iterations} Newton iterations${threads}${note}; train ROC AUC ${metrics.rocAuc.toFixed(4)}; wrote ${args.paths.model}`,
  };
}

/**
 * The ranking's window in shared memory, its negatives sorted by the helper while this
 * thread sorts the positives. A sort the helper was asked for and did not finish may have
 * left that half moved about, so it fails the step (retried) rather than rank it.
 */
function sortOnTwoThreads(helper: PassHelper): RankOptions {
  return {
    window: (n) => new Float64Array(new SharedArrayBuffer(8 * n)),
    sortClasses: (pos, neg) => {
      const aside = helper.sortAside(neg);
      sortScores(pos);
      if (!aside) sortScores(neg);
      else if (!helper.sortedAside()) {
        throw new Error(`the second thread did not finish a sort: ${helper.failure ?? '?'}`);
      }
    },
  };
}

if (require.main === module) {
  if (isPassHelper()) servePassHelper();
  else runMain('train', run);
}
