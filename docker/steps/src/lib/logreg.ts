import { buildDesign, type Design } from './design';
import { accumulate, margins } from './kernel';
import { choleskySolve } from './linalg';

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
  // State at the current point: margins, objective, gradient and Hessian, all from one pass.
  // A trial point gets the same full pass, so an accepted step needs no second look.
  let cur = atPoint(design, y, c, new Float64Array(p), new Float64Array(n));
  let spare: Float64Array = new Float64Array(n);
  let iterations = 0;
  let converged = false;

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
    if (-slope <= tol * Math.max(1, Math.abs(f))) {
      converged = true; // Newton decrement is negligible: already at the optimum
      break;
    }
    // Near the optimum Newton converges quadratically: once the predicted decrease is this
    // small, one more full step lands at machine precision, so it is the last one.
    const lastStep = -slope / 2 <= FINAL_STEP_TOL * Math.max(1, Math.abs(f));
    let accepted = false;
    for (let k = 0, t = 1; k < 60; k++, t /= 2) {
      const trial = Float64Array.from(cur.theta, (v, i) => v - t * step[i]);
      const next = atPoint(design, y, c, trial, spare);
      if (next.f <= f + 1e-4 * t * slope) {
        spare = cur.z;
        cur = next;
        accepted = true;
        if (f - next.f <= tol * Math.max(1, Math.abs(next.f)) || (lastStep && t === 1)) {
          converged = true;
        }
        break;
      }
    }
    if (!accepted) {
      converged = true; // no representable decrease left along the Newton direction
      break;
    }
    if (converged) break;
  }

  let gradientMax = 0;
  for (let i = 0; i < p; i++) gradientMax = Math.max(gradientMax, Math.abs(cur.grad[i]));
  return {
    weights: cur.theta.slice(0, d),
    intercept: cur.theta[d],
    iterations,
    converged,
    objective: cur.f,
    gradientMax,
    margins: cur.z,
  };
}

interface Point {
  theta: Float64Array;
  z: Float64Array;
  f: number;
  grad: Float64Array;
  hess: Float64Array;
}

/** Everything Newton needs at theta; z is scratch space that becomes the point's margins. */
function atPoint(g: Design, y: Uint8Array, c: number, theta: Float64Array, z: Float64Array): Point {
  const p = theta.length;
  margins(g, theta, z);
  const grad = new Float64Array(p);
  const hess = new Float64Array(p * p);
  const loss = derivatives(g, y, z, c, theta, grad, hess);
  let reg = 0;
  for (let j = 0; j < p - 1; j++) reg += theta[j] * theta[j];
  return { theta, z, f: 0.5 * reg + c * loss, grad, hess };
}

/**
 * Gradient and full symmetric Hessian at the margins z; returns the summed log loss there.
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
  hess: Float64Array,
): number {
  const k = g.denseCols.length;
  const np = g.patterns.length;
  const d = theta.length - 1;
  const p = d + 1;
  const { loss, gD, R, HD, V, W } = accumulate(g, y, z);

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
  return loss;
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
