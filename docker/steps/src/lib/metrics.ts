import { rankScores, type RankOptions, type ScorePass } from './ranking';

/**
 * Binary classification metrics with scikit-learn's conventions: ROC AUC with ties counted
 * as half, class 1 when P > 0.5 (LogisticRegression.predict), F1 of class 1, and log loss
 * with probabilities clipped to [1e-15, 1 - 1e-15].
 */
export interface Metrics {
  rows: number;
  positives: number;
  rocAuc: number;
  accuracy: number;
  f1: number;
  logLoss: number;
}

export function classificationMetrics(prob: Float64Array, y: Uint8Array): Metrics {
  const n = prob.length;
  let positives = 0;
  let tp = 0;
  let fp = 0;
  let correct = 0;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(Math.max(prob[i], 1e-15), 1 - 1e-15);
    const pred = prob[i] > 0.5 ? 1 : 0;
    if (y[i]) {
      positives++;
      loss -= Math.log(p);
      if (pred) tp++;
    } else {
      loss -= Math.log(1 - p);
      if (pred) fp++;
    }
    if (pred === y[i]) correct++;
  }
  const fn = positives - tp;
  return {
    rows: n,
    positives,
    rocAuc: rocAuc(prob, y),
    accuracy: correct / n,
    f1: tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
    logLoss: loss / n,
  };
}

/**
 * P(score of a random positive > score of a random negative), ties half. Sorting each class
 * natively and sweeping once is O(n log n) without a comparator call per element.
 * NaN when one class is absent (AUC is undefined).
 */
export function rocAuc(score: Float64Array, y: Uint8Array): number {
  let np = 0;
  for (let i = 0; i < y.length; i++) np += y[i];
  const nn = y.length - np;
  if (np === 0 || nn === 0) return NaN;
  const pos = new Float64Array(np);
  const neg = new Float64Array(nn);
  for (let i = 0, a = 0, b = 0; i < y.length; i++) {
    if (y[i]) pos[a++] = score[i];
    else neg[b++] = score[i];
  }
  pos.sort();
  neg.sort();
  let lt = 0; // negatives strictly below the current positive score
  let le = 0; // negatives at or below it
  let sum = 0;
  for (let i = 0; i < np; i++) {
    const s = pos[i];
    while (lt < nn && neg[lt] < s) lt++;
    if (le < lt) le = lt;
    while (le < nn && neg[le] <= s) le++;
    sum += lt + 0.5 * (le - lt);
  }
  return sum / np / nn;
}

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Counts at the 0.5 threshold, the one `class` and accuracy use. */
export function confusion(prob: Float64Array, y: Uint8Array): Confusion {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < prob.length; i++) {
    const pred = prob[i] > 0.5;
    if (y[i]) {
      if (pred) c.tp++;
      else c.fn++;
    } else if (pred) c.fp++;
    else c.tn++;
  }
  return c;
}

/**
 * The ROC curve as at most `points` [false positive rate, true positive rate] pairs, from
 * (0, 0) to (1, 1), taken at evenly spaced score quantiles: enough for a picture, small
 * enough for metrics.json. Rounded to 4 decimals.
 */
export function rocCurve(score: Float64Array, y: Uint8Array, points = 101): [number, number][] {
  const order = Array.from(score.keys()).sort((a, b) => score[b] - score[a]);
  let np = 0;
  for (let i = 0; i < y.length; i++) np += y[i];
  const nn = y.length - np;
  if (np === 0 || nn === 0) return [];
  const curve: [number, number][] = [[0, 0]];
  const step = Math.max(1, Math.floor(order.length / (points - 1)));
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    if (y[order[k]]) tp++;
    else fp++;
    const last = k === order.length - 1;
    // Only cut between distinct scores, so tied scores stay one diagonal segment.
    const boundary = last || score[order[k]] !== score[order[k + 1]];
    if (boundary && (last || (k + 1) % step === 0)) {
      curve.push([round4(fp / nn), round4(tp / np)]);
    }
  }
  return curve;
}

const round4 = (v: number): number => Math.round(v * 1e4) / 1e4;

/**
 * classificationMetrics, confusion and rocCurve over scores streamed in chunks (see
 * ranking.ts): the same figures, in memory set by the chunk and the ranking budget.
 */
export function streamMetrics(
  pass: ScorePass,
  opts: { points?: number; budget?: number } = {},
): StreamedMetrics {
  const first = new MetricsPass();
  pass(first.visit);
  return first.finish(pass, opts);
}

export interface StreamedMetrics {
  metrics: Metrics;
  confusion: Confusion;
  curve: [number, number][];
}

/**
 * The figures that need one look at each score (counts at 0.5, log loss, the range), fed
 * chunk by chunk by whoever has the scores; finish() adds the ranking's, from more passes.
 */
export class MetricsPass {
  private readonly c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  private loss = 0;
  private min = Infinity;
  private max = -Infinity;

  readonly visit = (prob: Float64Array, y: Uint8Array, n: number): void => {
    // Counts as sums of 0/1 products and the log's argument as a select: no branch on the
    // class or the prediction (random, so mispredicted); the same figures.
    const c = this.c;
    let loss = this.loss;
    let min = this.min;
    let max = this.max;
    let tp = 0;
    let pos = 0;
    let predicted = 0;
    for (let i = 0; i < n; i++) {
      const q = prob[i];
      const p = Math.min(Math.max(q, 1e-15), 1 - 1e-15);
      const yi = y[i];
      const pred = q > 0.5 ? 1 : 0;
      loss -= Math.log(yi ? p : 1 - p);
      tp += yi & pred;
      pos += yi;
      predicted += pred;
      if (q < min) min = q;
      if (q > max) max = q;
    }
    c.tp += tp;
    c.fn += pos - tp;
    c.fp += predicted - tp;
    c.tn += n - pos - predicted + tp;
    this.loss = loss;
    this.min = min;
    this.max = max;
  };

  finish(pass: ScorePass, opts: RankOptions = {}): StreamedMetrics {
    const c = this.c;
    const rows = c.tp + c.fp + c.tn + c.fn;
    const positives = c.tp + c.fn;
    const ranking = rankScores(pass, { rows, positives, min: this.min, max: this.max }, opts);
    return {
      metrics: {
        rows,
        positives,
        rocAuc: ranking.rocAuc,
        accuracy: (c.tp + c.tn) / rows,
        f1: c.tp === 0 ? 0 : (2 * c.tp) / (2 * c.tp + c.fp + c.fn),
        logLoss: this.loss / rows,
      },
      confusion: { ...c },
      curve: ranking.curve,
    };
  }
}
