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
  let theta = new Float64Array(p);
  let z = new Float64Array(n); // margins at theta, kept so a pass needs no dot products
  let zTrial = new Float64Array(n);
  let f = objective(theta, z, y, n, d, c);
  const grad = new Float64Array(p);
  const hess = new Float64Array(p * p);
  let iterations = 0;
  let converged = false;

  while (iterations < maxIter) {
    iterations++;
    gradientAndHessian(x, y, z, n, d, c, theta, grad, hess);
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
    let t = 1;
    let accepted = false;
    const trial = new Float64Array(p);
    for (let k = 0; k < 60; k++) {
      for (let i = 0; i < p; i++) trial[i] = theta[i] - t * step[i];
      margins(x, trial, zTrial, n, d);
      const fTrial = objective(trial, zTrial, y, n, d, c);
      if (fTrial <= f + 1e-4 * t * slope) {
        const decrease = f - fTrial;
        theta = trial;
        [z, zTrial] = [zTrial, z];
        f = fTrial;
        accepted = true;
        if (decrease <= tol * Math.max(1, Math.abs(f))) converged = true;
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

  gradientAndHessian(x, y, z, n, d, c, theta, grad, undefined);
  let gradientMax = 0;
  for (let i = 0; i < p; i++) gradientMax = Math.max(gradientMax, Math.abs(grad[i]));
  return {
    weights: theta.slice(0, d),
    intercept: theta[d],
    iterations,
    converged,
    objective: f,
    gradientMax,
  };
}

/** z_i = w.x_i + b for every row. */
function margins(
  x: Float32Array,
  theta: Float64Array,
  z: Float64Array,
  n: number,
  d: number,
): void {
  const b = theta[d];
  for (let i = 0, r = 0; i < n; i++, r += d) {
    let s = b;
    for (let j = 0; j < d; j++) s += theta[j] * x[r + j];
    z[i] = s;
  }
}

function objective(
  theta: Float64Array,
  z: Float64Array,
  y: Uint8Array,
  n: number,
  d: number,
  c: number,
): number {
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const zi = z[i];
    // log(1 + e^z) - y z, without overflow for large |z|
    const softplus = zi > 0 ? zi + Math.log1p(Math.exp(-zi)) : Math.log1p(Math.exp(zi));
    loss += softplus - (y[i] ? zi : 0);
  }
  let reg = 0;
  for (let j = 0; j < d; j++) reg += theta[j] * theta[j];
  return 0.5 * reg + c * loss;
}

/** Gradient, and (unless hess is undefined) the full symmetric Hessian. */
function gradientAndHessian(
  x: Float32Array,
  y: Uint8Array,
  z: Float64Array,
  n: number,
  d: number,
  c: number,
  theta: Float64Array,
  grad: Float64Array,
  hess: Float64Array | undefined,
): void {
  const p = d + 1;
  grad.fill(0);
  if (hess) hess.fill(0);
  const row = new Float64Array(p);
  row[d] = 1;
  for (let i = 0, r = 0; i < n; i++, r += d) {
    const pi = 1 / (1 + Math.exp(-z[i]));
    const resid = pi - y[i];
    for (let j = 0; j < d; j++) row[j] = x[r + j];
    for (let j = 0; j < p; j++) grad[j] += resid * row[j];
    if (hess) {
      const w = pi * (1 - pi);
      // Lower triangle only; mirrored below. The inner loop is the training hot spot.
      for (let j = 0; j < p; j++) {
        const wj = w * row[j];
        const base = j * p;
        for (let k = 0; k <= j; k++) hess[base + k] += wj * row[k];
      }
    }
  }
  for (let j = 0; j < p; j++) grad[j] *= c;
  for (let j = 0; j < d; j++) grad[j] += theta[j];
  if (hess) {
    for (let j = 0; j < p; j++) {
      for (let k = 0; k <= j; k++) {
        const v = c * hess[j * p + k] + (j === k && j < d ? 1 : 0);
        hess[j * p + k] = v;
        hess[k * p + j] = v;
      }
    }
  }
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
