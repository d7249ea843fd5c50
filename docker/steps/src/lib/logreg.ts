import { buildDesign, type Design } from './design';
import { accumulate, marginsAndLoss } from './kernel';
import { choleskySolve } from './linalg';

/**
 * L2-regularised logistic regression with an unpenalised intercept, the objective of
 * scikit-learn's LogisticRegression(C=c):
 *     F(w, b) = 0.5 * |w|^2 + C * sum_i [ log(1 + exp(z_i)) - y_i z_i ],  z_i = w.x_i + b
 * solved by Newton's method (IRLS) with a backtracking line search. With a dozen features a
 * Newton step costs about one pass over the data plus a tiny Cholesky solve, and converges
 * quadratically: ~6-8 passes reach the optimum to machine precision, where L-BFGS needs
 * dozens of passes to a looser tolerance.
 */
const FINAL_STEP_TOL = 1e-10;

export interface FitOptions {
  c: number;
  maxIter: number;
  /** Stop when the relative objective decrease falls below this. */
  tol?: number;
}

export interface FitResult {
  weights: Float64Array;
  intercept: number;
  iterations: number;
  converged: boolean;
  objective: number;
  /** Largest absolute gradient component at the solution. */
  gradientMax: number;
  /** w.x_i + b at the solution, for training metrics without another pass. */
  margins: Float64Array;
}

export function fitLogistic(
  x: Float32Array,
  y: Uint8Array,
  n: number,
  d: number,
  opts: FitOptions,
): FitResult {
  const { c, maxIter } = opts;
  const tol = opts.tol ?? 1e-12;
  const p = d + 1; // parameters: d weights then the intercept
  const design = buildDesign(x, n, d);
  let theta = new Float64Array(p);
  let z = new Float64Array(n); // margins at theta, kept so a pass needs no dot products
  let zTrial = new Float64Array(n);
  let f = evaluate(design, theta, y, z, d, c);
  const grad = new Float64Array(p);
  const hess = new Float64Array(p * p);
  let iterations = 0;
  let converged = false;

  while (iterations < maxIter) {
    iterations++;
    derivatives(design, y, z, c, theta, grad, hess);
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
    if (-slope <= tol * Math.max(1, Math.abs(f))) {
      converged = true; // Newton decrement is negligible: already at the optimum
      break;
    }
    // Near the optimum Newton converges quadratically: once the predicted decrease is this
    // small, one more full step lands at machine precision, so it is the last one. This
    // saves a whole Hessian pass that would only confirm convergence.
    const lastStep = -slope / 2 <= FINAL_STEP_TOL * Math.max(1, Math.abs(f));
    let t = 1;
    let accepted = false;
    const trial = new Float64Array(p);
    for (let k = 0; k < 60; k++) {
      for (let i = 0; i < p; i++) trial[i] = theta[i] - t * step[i];
      const fTrial = evaluate(design, trial, y, zTrial, d, c);
      if (fTrial <= f + 1e-4 * t * slope) {
        const decrease = f - fTrial;
        theta = trial;
        [z, zTrial] = [zTrial, z];
        f = fTrial;
        accepted = true;
        if (decrease <= tol * Math.max(1, Math.abs(f)) || (lastStep && t === 1)) converged = true;
        break;
      }
      t /= 2;
    }
    if (!accepted) {
      converged = true; // no representable decrease left along the Newton direction
      break;
    }
    if (converged) break;
  }

  derivatives(design, y, z, c, theta, grad, undefined);
  let gradientMax = 0;
  for (let i = 0; i < p; i++) gradientMax = Math.max(gradientMax, Math.abs(grad[i]));
  return {
    weights: theta.slice(0, d),
    intercept: theta[d],
    iterations,
    converged,
    objective: f,
    gradientMax,
    margins: z,
  };
}

/** The objective F at theta; also leaves the margins z_i = w.x_i + b in z. */
function evaluate(
  g: Design,
  theta: Float64Array,
  y: Uint8Array,
  z: Float64Array,
  d: number,
  c: number,
): number {
  const wd = Float64Array.from(g.denseCols, (j) => theta[j]);
  // A row's indicator weights and the intercept add up to one offset per pattern.
  const offset = Float64Array.from(g.patterns, (cols) =>
    cols.reduce((s, j) => s + theta[j], theta[d]),
  );
  const loss = marginsAndLoss(g, y, wd, offset, z);
  let reg = 0;
  for (let j = 0; j < d; j++) reg += theta[j] * theta[j];
  return 0.5 * reg + c * loss;
}

/**
 * Gradient, and (unless hess is undefined) the full symmetric Hessian, at the margins z.
 * Per row only the dense block is touched; indicator columns and the intercept are summed
 * per pattern (R, W, V) and scattered to their columns once at the end.
 */
function derivatives(
  g: Design,
  y: Uint8Array,
  z: Float64Array,
  c: number,
  theta: Float64Array,
  grad: Float64Array,
  hess: Float64Array | undefined,
): void {
  const k = g.denseCols.length;
  const np = g.patterns.length;
  const d = theta.length - 1;
  const p = d + 1;
  const { gD, R, HD, V, W } = accumulate(g, y, z, hess !== undefined);

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
  for (let i = 0, r = 0; i < n; i++, r += d) {
    let s = b;
    for (let j = 0; j < d; j++) s += w[j] * x[r + j];
    out[i] = 1 / (1 + Math.exp(-s));
  }
  return out;
}
