import * as fs from 'node:fs';
import * as path from 'node:path';
import { param, parseStepArgs } from './lib/args';
import { withOutputs } from './lib/atomic';
import { inputError } from './lib/errors';
import { readJson, toJson } from './lib/json';
import {
  designChunk,
  growChunk,
  IndicatorScan,
  MAX_INDICATORS,
  newPlan,
  type Design,
  type DesignPlan,
} from './lib/design';
import { margins } from './lib/kernel';
import { fitFromSample, fitLogisticStream, SAMPLE_ROWS, type DesignSource } from './lib/logreg';
import { runMain, type StepResult } from './lib/main';
import { MATRIX_CHUNK_ROWS, MatrixReader } from './lib/matrix';
import { streamMetrics } from './lib/metrics';
import { replayablePass } from './lib/ranking';
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
    const scan = new IndicatorScan(m.cols);
    let positives = 0; // the classes are counted on the first pass
    m.forEach((ch) => {
      scan.add(ch.x, ch.n);
      for (let i = 0; i < ch.n; i++) positives += ch.y[i];
    }, parts);
    if (positives === 0 || positives === m.rows) {
      throw inputError(
        `${inFile}: the target has only class ${positives ? 1 : 0}; a classifier needs both classes`,
      );
    }
    const src = compactSource(m, scan.indicators(), parts);
    fit = src.sample
      ? fitFromSample(src, m.rows, src.sample, { c, maxIter })
      : fitLogisticStream(src, { c, maxIter });
    const theta = Float64Array.from([...fit.weights, fit.intercept]);
    metrics = streamMetrics(
      replayablePass(m.rows, (fn) =>
        src.forEach((dg, y) =>
          fn(dg.n, y, (out) => {
            margins(dg, theta, out);
            for (let i = 0; i < dg.n; i++) out[i] = 1 / (1 + Math.exp(-out[i]));
          }),
        ),
      ),
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
 * The compact rows of train.bin, pass after pass. The pass that finds the patterns keeps the
 * first chunks' compact rows, up to DESIGN_CACHE_BYTES (23 bytes a row at 5 dense columns),
 * and a sample of every k-th row for the warm start; the rest are read and compacted again
 * on every pass. Memory is that fixed budget plus one chunk whatever the rows; small data
 * never touches the disk twice. Chunks are summed in file order either way, so the cache
 * changes no figure.
 */
export const DESIGN_CACHE_BYTES = 64 * 2 ** 20;

interface TrainSource extends DesignSource {
  sample?: { source: DesignSource; rows: number };
}

function compactSource(
  m: MatrixReader,
  indicators: number[],
  parts: { x: boolean; rowIndex: boolean },
): TrainSource {
  // A test knob (the unit tests force the disk path on small data); not a step flag.
  const budget = Number(process.env.AIRFLOW_ML_DESIGN_CACHE_BYTES ?? DESIGN_CACHE_BYTES);
  // Too many patterns with these indicators: every column dense (one pattern) always fits.
  const tries = indicators.length <= MAX_INDICATORS ? [indicators, []] : [[]];
  for (const ind of tries) {
    const plan = newPlan(m.cols, ind);
    const k = plan.denseCols.length;
    const rowBytes = 4 * k + 3;
    const cache: { g: Design; y: Uint8Array }[] = [];
    let cachedRows = 0;
    let open = true;
    let scratch: Design | undefined;
    let tooMany = false;
    const sample = new Sampler(plan, m.rows);
    m.forEach((ch) => {
      if (tooMany) return;
      const keep = open && (cachedRows + ch.n) * rowBytes <= budget;
      const g = growChunk(plan, ch.x, ch.n, keep ? undefined : scratch);
      if (!g) {
        tooMany = true;
        return;
      }
      if (keep) {
        cache.push({ g, y: ch.y.slice(0, ch.n) });
        cachedRows += ch.n;
      } else {
        open = false;
        scratch = g;
      }
      sample.add(g, ch.y, ch.first);
    }, parts);
    if (tooMany) continue;
    return {
      plan,
      forEach: (fn) => {
        for (const c of cache) fn(c.g, c.y);
        if (cachedRows === m.rows) return;
        m.forEach(
          (ch) => {
            scratch = designChunk(plan, ch.x, ch.n, scratch);
            fn(scratch, ch.y);
          },
          parts,
          MATRIX_CHUNK_ROWS,
          cachedRows,
        );
      },
      sample: sample.result(),
    };
  }
  throw new Error('unreachable: a plan without indicators has one pattern');
}

/** Every k-th row's compact form, for the warm start (none when the data is small). */
class Sampler {
  private readonly stride: number;
  private readonly g: Design | undefined;
  private readonly y: Uint8Array;
  private n = 0;

  constructor(
    private readonly plan: DesignPlan,
    rows: number,
  ) {
    // A test knob (the unit tests take the warm start on small data); not a step flag.
    const target = Number(process.env.AIRFLOW_ML_SAMPLE_ROWS ?? SAMPLE_ROWS);
    this.stride = Math.floor(rows / target);
    const size = this.stride >= 4 ? Math.ceil(rows / this.stride) : 0;
    const k = plan.denseCols.length;
    this.g =
      size > 0
        ? {
            n: 0,
            denseCols: plan.denseCols,
            dense: new Float32Array(size * k),
            indicatorCols: plan.indicatorCols,
            pattern: new Uint16Array(size),
            patterns: plan.patterns,
          }
        : undefined;
    this.y = new Uint8Array(size);
  }

  add(g: Design, y: Uint8Array, first: number): void {
    const s = this.g;
    if (!s) return;
    const k = g.denseCols.length;
    for (let i = (this.stride - (first % this.stride)) % this.stride; i < g.n; i += this.stride) {
      s.dense.set(g.dense.subarray(i * k, i * k + k), this.n * k);
      s.pattern[this.n] = g.pattern[i];
      this.y[this.n] = y[i];
      this.n++;
    }
  }

  result(): { source: DesignSource; rows: number } | undefined {
    const s = this.g;
    if (!s) return undefined;
    s.n = this.n;
    return { source: { plan: this.plan, forEach: (fn) => fn(s, this.y) }, rows: this.n };
  }
}

if (require.main === module) runMain('train', run);
