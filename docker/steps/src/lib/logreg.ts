import { designChunk, planDesign, type Design, type DesignPlan } from './design';
import { addSums, margins, rowProba, sumChunks, type DesignChunks, type Sums } from './kernel';
import { choleskySolve } from './linalg';
import type { MatrixReader } from './matrix';
import { replayablePass, type ScorePass } from './ranking';

/**
 * L2-regularised logistic regression with an unpenalised intercept, the objective of
 * scikit-learn's LogisticRegression(C=c):
 *     F(w, b) = 0.5 * |w|^2 + C * sum_i [ log(1 + exp(z_i)) - y_i z_i ],  z_i = w.x_i + b
 * solved by Newton's method (IRLS) with a backtracking line search. With a dozen features a
 * Newton step costs about one pass over the data plus a tiny Cholesky solve, and converges
 * quadratically: ~5-7 passes reach the optimum to machine precision, where L-BFGS needs
 * dozens of passes to a looser tolerance.
 */
const FINAL_STEP_TOL = 1e-10;
/** A predicted decrease this small (relative) moves nothing: the fit stops without a pass. */
const NEGLIGIBLE = 1e-24;

export interface FitOptions {
  c: number;
  maxIter: number;
  /** Stop when the relative objective decrease falls below this. */
  tol?: number;
  /** Where Newton starts (weights then intercept); zero when absent. */
  start?: Float64Array;
  /**
   * Called chunk by chunk, with each row's P(y = 1) (as kernel.ts's probabilities() computes it),
   * during the pass of the last Newton step (the one that skips the Hessian): a caller that
   * needs the scores at the solution gets them without a pass of its own. The result's
   * `visitedFinal` says whether that step's point is the solution.
   */
  final?: (g: Design, y: Uint8Array, prob: Float64Array) => void;
  /**
   * Instead of `final`: that pass writes every row's P(y = 1) and target here, in row order
   * (arrays of the source's rows, in shared memory so the helper thread writes its half).
   */
  keep?: KeptScores;
}

/** Every row's P(y = 1) and target, from the last Newton pass. */
export interface KeptScores {
  s: Float64Array;
  y: Uint8Array;
}

/** A chunk visitor that writes P(y = 1) and targets into `keep`, from row `at` on. */
export function keepInto(keep: KeptScores, at: number) {
  let row = at;
  return (g: Design, y: Uint8Array, prob: Float64Array): void => {
    keep.s.set(prob.subarray(0, g.n), row);
    keep.y.set(y.subarray(0, g.n), row);
    row += g.n;
  };
}

export interface StreamFitResult {
  weights: Float64Array;
  intercept: number;
  iterations: number;
  converged: boolean;
  objective: number;
  /** Largest absolute gradient component at the solution. */
  gradientMax: number;
  /** Whether `final` saw the margins at the solution (not at a point then turned down). */
  visitedFinal: boolean;
}

export interface FitResult extends StreamFitResult {
  /** w.x_i + b at the solution. */
  margins: Float64Array;
}

/**
 * The training rows in compact form, a chunk at a time: one call of forEach is one pass.
 * In memory it is one chunk; train streams train.bin through it (out of core).
 */
export interface DesignSource {
  plan: DesignPlan;
  forEach: DesignChunks;
  /**
   * The chunks in two fixed halves (forEach is a then b): a pass is then summed as A's
   * sums plus B's, which lets a helper thread sum B while this one sums A (passSums).
   */
  halves?: { a: DesignChunks; b: DesignChunks; aRows: number; helper?: HalfHelper };
}

/** A thread that sums the second half of a pass (pass-helper.ts). */
export interface HalfHelper {
  /**
   * Asks for B's sums at theta (with `keep`, B's scores written there from row `at`);
   * false when the helper is not there (any more).
   */
  begin(theta: Float64Array, hessian: boolean, keep?: KeptScores, at?: number): boolean;
  /** B's sums, or undefined when the helper failed: the caller then sums B itself. */
  finish(): Sums | undefined;
}

/** In-memory fit (tests and small data): the streaming fit over one chunk. */
export function fitLogistic(
  x: Float32Array,
  y: Uint8Array,
  n: number,
  d: number,
  opts: FitOptions,
): FitResult {
  const plan = planDesign((fn) => fn(x, n), d);
  const design = designChunk(plan, x, n);
  const fit = fitLogisticStream({ plan, forEach: (fn) => fn(design, y) }, opts);
  const theta = new Float64Array(d + 1);
  theta.set(fit.weights);
  theta[d] = fit.intercept;
  const z = new Float64Array(n);
  margins(design, theta, z);
  return { ...fit, margins: z };
}

/**
 * Newton with a line search, where each evaluation (objective, gradient and Hessian at a
 * point) is one pass over the source: memory is the Hessian and one chunk.
 */
export function fitLogisticStream(src: DesignSource, opts: FitOptions): StreamFitResult {
  const { c, maxIter } = opts;
  const tol = opts.tol ?? 1e-12;
  const p = src.plan.d + 1; // parameters: d weights then the intercept
  const d = p - 1;
  // State at the current point: objective, gradient and Hessian, all from one pass.
  // A trial point gets the same full pass, so an accepted step needs no second look.
  let cur = atPoint(src, c, opts.start ? opts.start.slice() : new Float64Array(p), true);
  let iterations = 0;
  let converged = false;
  let visitedFinal = false;

  while (iterations < maxIter) {
    iterations++;
    const { grad, hess, f } = cur;
    let step = choleskySolve(hess, grad, p);
    if (!step) {
      // Numerically semidefinite (e.g. perfectly separated one-hot groups): damp and retry.
      let trace = 0;
      for (let i = 0; i < p; i++) trace += hess[i * p + i];
      for (let i = 0; i < p; i++) hess[i * p + i] += 1e-10 * trace + 1e-12;
      step = choleskySolve(hess, grad, p);
      if (!step) break;
    }
    // Newton direction is -step; gradient . direction = -grad . step.
    let slope = 0;
    for (let i = 0; i < p; i++) slope -= grad[i] * step[i];
    const scale = Math.max(1, Math.abs(f));
    if (-slope <= NEGLIGIBLE * scale) {
      converged = true; // the step is below rounding: already at the optimum
      break;
    }
    // Near the optimum Newton converges quadratically: once the predicted decrease is this
    // small, one more full step lands at the optimum to rounding, so it is the last one,
    // and its pass skips the Hessian. The objective's own rounding can then exceed the
    // tiny decrease, so the gradient decides whether the step is kept.
    if (-slope / 2 <= FINAL_STEP_TOL * scale) {
      const next = atPoint(
        src,
        c,
        Float64Array.from(cur.theta, (v, i) => v - step[i]),
        false,
        opts.final,
        opts.keep,
      );
      visitedFinal =
        (opts.final !== undefined || opts.keep !== undefined) && maxAbs(next.grad) <= maxAbs(grad);
      if (maxAbs(next.grad) <= maxAbs(grad)) cur = next;
      converged = true;
      break;
    }
    let accepted = false;
    for (let k = 0, t = 1; k < 60; k++, t /= 2) {
      const trial = Float64Array.from(cur.theta, (v, i) => v - t * step[i]);
      const next = atPoint(src, c, trial, true);
      if (next.f <= f + 1e-4 * t * slope) {
        cur = next;
        accepted = true;
        if (f - next.f <= tol * Math.max(1, Math.abs(next.f))) converged = true;
        break;
      }
    }
    if (!accepted) {
      converged = true; // no representable decrease left along the Newton direction
      break;
    }
    if (converged) break;
  }

  const gradientMax = maxAbs(cur.grad);
  return {
    weights: cur.theta.slice(0, d),
    intercept: cur.theta[d],
    iterations,
    converged,
    objective: cur.f,
    gradientMax,
    visitedFinal,
  };
}

/**
 * Rows in the warm-start sample: its optimum is within about 1/sqrt(rows) of the full one,
 * close enough that Newton on all rows then needs 3 full passes and a last gradient-only
 * one instead of 5 and 1 (measured on 800,000 rows: the same 3 iterations from samples of
 * 8,192 to 65,536 rows, to a gradient of 1e-7 to 3e-9; the smaller sample costs less).
 */
export const SAMPLE_ROWS = 1 << 14;

/**
 * The fit from a sample's optimum: Newton first runs on `sample` (rows spread over the whole
 * source, with C scaled by rows / sample rows so its objective estimates the full one), then
 * on all rows from where it ended. The objective is strictly convex, so the optimum and the
 * stopping rule are those of a fit from zero; only the number of full passes drops. A
 * sample with one class, or whose fit does not converge, is not used.
 */
export function fitFromSample(
  src: DesignSource,
  rows: number,
  sample: { source: DesignSource; rows: number },
  opts: FitOptions,
): StreamFitResult {
  let positives = 0;
  sample.source.forEach((g, y) => {
    for (let i = 0; i < g.n; i++) positives += y[i];
  });
  let start: Float64Array | undefined;
  if (positives > 0 && positives < sample.rows) {
    const pre = fitLogisticStream(sample.source, {
      c: (opts.c * rows) / sample.rows,
      maxIter: 50,
      tol: 1e-9,
      // The same kind of last pass as the full fit's (keeping P(y = 1)), so the kernel it
      // runs is compiled on the sample's rows, not on the first of all rows.
      final: opts.final || opts.keep ? () => undefined : undefined,
    });
    const theta = Float64Array.from([...pre.weights, pre.intercept]);
    if (pre.converged && theta.every(Number.isFinite)) start = theta;
  }
  return fitLogisticStream(src, { ...opts, start });
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

interface Point {
  theta: Float64Array;
  f: number;
  grad: Float64Array;
  /** Empty when the pass skipped the Hessian. */
  hess: Float64Array;
}

/** Everything Newton needs at theta (the Hessian only when asked), from one pass. */
function atPoint(
  src: DesignSource,
  c: number,
  theta: Float64Array,
  hessian: boolean,
  visit?: (g: Design, y: Uint8Array, prob: Float64Array) => void,
  keep?: KeptScores,
): Point {
  const p = theta.length;
  const total = passSums(src, theta, hessian, visit, keep);
  const grad = new Float64Array(p);
  const hess = new Float64Array(hessian ? p * p : 0);
  derivatives(src.plan, total, c, theta, grad, hessian ? hess : undefined);
  let reg = 0;
  for (let j = 0; j < p - 1; j++) reg += theta[j] * theta[j];
  return { theta, f: 0.5 * reg + c * total.loss, grad, hess };
}

/**
 * One pass's sums: over all chunks in order, or, for a source split in halves, A's plus
 * B's, B summed by the helper thread when there is one (and no chunk visit is wanted, which
 * runs here; scores kept in shared memory are written by each thread), else here after A:
 * the same figures either way.
 */
function passSums(
  src: DesignSource,
  theta: Float64Array,
  hessian: boolean,
  visit?: (g: Design, y: Uint8Array, prob: Float64Array) => void,
  keep?: KeptScores,
): Sums {
  const k = src.plan.denseCols.length;
  const np = src.plan.patterns.length;
  const halves = src.halves;
  if (!halves) {
    const all = visit ?? (keep ? keepInto(keep, 0) : undefined);
    return sumChunks((fn) => src.forEach(fn), theta, k, np, hessian, all);
  }
  const helper = visit ? undefined : halves.helper;
  const asked = helper?.begin(theta, hessian, keep, halves.aRows) ?? false;
  const visitA = visit ?? (keep ? keepInto(keep, 0) : undefined);
  const total = sumChunks(halves.a, theta, k, np, hessian, visitA);
  const visitB = visit ?? (keep ? keepInto(keep, halves.aRows) : undefined);
  const b =
    (asked ? helper?.finish() : undefined) ?? sumChunks(halves.b, theta, k, np, hessian, visitB);
  addSums(total, b);
  return total;
}

/**
 * Gradient and full symmetric Hessian from the pass's sums. Per row only the dense block
 * was touched; indicator columns and the intercept are summed per pattern (R, W, V) and
 * scattered to their columns here, once.
 */
function derivatives(
  g: DesignPlan,
  sums: Sums,
  c: number,
  theta: Float64Array,
  grad: Float64Array,
  hess: Float64Array | undefined,
): void {
  const k = g.denseCols.length;
  const np = g.patterns.length;
  const d = theta.length - 1;
  const p = d + 1;
  const { gD, R, HD, V, W } = sums;

  // Scatter into the original parameter order: weights 0..d-1, intercept d.
  grad.fill(0);
  const dc = g.denseCols;
  for (let a = 0; a < k; a++) grad[dc[a]] = gD[a];
  for (let q = 0; q < np; q++) {
    for (const j of g.patterns[q]) grad[j] += R[q];
    grad[d] += R[q];
  }
  for (let j = 0; j < p; j++) grad[j] *= c;
  for (let j = 0; j < d; j++) grad[j] += theta[j];
  if (!hess) return;

  hess.fill(0);
  const add = (i: number, j: number, v: number) => {
    hess[i * p + j] += v;
    if (i !== j) hess[j * p + i] += v;
  };
  for (let a = 0; a < k; a++) for (let b = 0; b <= a; b++) add(dc[a], dc[b], HD[a * k + b]);
  for (let q = 0; q < np; q++) {
    const cols = [...g.patterns[q], d]; // the intercept behaves like an always-on indicator
    for (const j of cols) {
      for (let a = 0; a < k; a++) add(j, dc[a], V[q * k + a]);
      for (const l of cols) if (l <= j) add(j, l, W[q]);
    }
  }
  for (let j = 0; j < p * p; j++) hess[j] *= c;
  for (let j = 0; j < d; j++) hess[j * p + j] += 1;
}

/** P(y = 1) for every row of a row-major matrix. */
export function predictProba(
  x: Float32Array,
  n: number,
  d: number,
  w: ArrayLike<number>,
  b: number,
): Float64Array {
  const out = new Float64Array(n);
  rowProba(x, n, d, Float64Array.from(w), b, out);
  return out;
}

/** A ScorePass over a matrix file: P(y = 1) per row, as predictProba, a chunk at a time. */
export function scorePass(m: MatrixReader, w: ArrayLike<number>, b: number): ScorePass {
  const wd = Float64Array.from(w);
  return replayablePass(m.rows, (fn) =>
    m.forEach((c) => fn(c.n, c.y, (out) => rowProba(c.x, c.n, m.cols, wd, b, out)), {
      x: true,
      rowIndex: false,
    }),
  );
}
