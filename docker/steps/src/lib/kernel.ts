import type { Design } from './design';

/**
 * The training hot loops, specialised to the number of dense columns k. Written generically,
 * each per-row update of the gradient and of the k x k Hessian block is a load and a store
 * on a typed array; generated with k fixed, the accumulators are plain locals that V8 keeps
 * in registers, which makes a Newton pass 2-3x faster. Only integers are spliced into the
 * source, so the generated code cannot carry anything from the input data.
 */

/**
 * Sums over rows, with p = sigmoid(z_i), r = p - y_i, w = p (1 - p), u = dense values:
 *   loss = sum log(1 + e^z) - y z;  gD = sum r u;  R[pattern] = sum r;
 *   HD = sum w u u^T (lower triangle);  V[pattern] = sum w u;  W[pattern] = sum w.
 */
export interface Sums {
  loss: number;
  gD: Float64Array;
  R: Float64Array;
  HD: Float64Array;
  V: Float64Array;
  W: Float64Array;
}

type Kernel = (
  n: number,
  dense: Float32Array,
  pattern: Uint16Array,
  y: Uint8Array,
  wd: Float64Array,
  offset: Float64Array,
  s: Sums,
  prob: Float64Array,
) => void;

type MarginKernel = (
  n: number,
  dense: Float32Array,
  pattern: Uint16Array,
  wd: Float64Array,
  offset: Float64Array,
  z: Float64Array,
) => void;

const kernels = new Map<string, Kernel>();
const NO_PROB = new Float64Array(0);
const marginKernels = new Map<number, MarginKernel>();

/** Zeroed sums for k dense columns and np patterns (the Hessian's only when asked). */
export function emptySums(k: number, np: number, hessian: boolean): Sums {
  return {
    loss: 0,
    gD: new Float64Array(k),
    R: new Float64Array(np),
    HD: new Float64Array(hessian ? k * k : 0),
    V: new Float64Array(hessian ? np * k : 0),
    W: new Float64Array(hessian ? np : 0),
  };
}

/** a += b, field by field. */
export function addSums(a: Sums, b: Sums): void {
  a.loss += b.loss;
  addInto(a.gD, b.gD);
  addInto(a.R, b.R);
  addInto(a.HD, b.HD);
  addInto(a.V, b.V);
  addInto(a.W, b.W);
}

function addInto(a: Float64Array, b: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}

/** Chunks of compact rows with their targets, in a fixed order: one call is one pass. */
export type DesignChunks = (fn: (g: Design, y: Uint8Array) => void) => void;

/**
 * The sums of one pass at theta: each chunk's own (accumulate), added in chunk order, so
 * the figures depend on the chunks alone. `visit` gets each chunk's P(y = 1).
 */
export function sumChunks(
  chunks: DesignChunks,
  theta: Float64Array,
  k: number,
  np: number,
  hessian: boolean,
  visit?: (g: Design, y: Uint8Array, prob: Float64Array) => void,
): Sums {
  const total = emptySums(k, np, hessian);
  let prob: Float64Array | undefined;
  chunks((g, y) => {
    if (visit && (!prob || prob.length < g.n)) prob = new Float64Array(g.n);
    addSums(total, accumulate(g, y, theta, hessian, visit ? prob : undefined));
    if (visit) visit(g, y, prob as Float64Array);
  });
  return total;
}

/**
 * Loss, gradient sums and (unless `hessian` is false: a pass that only needs the objective
 * and the gradient) Hessian sums at theta, in one pass; the margins are computed in the
 * same loop, as margins() does, and P(y = 1) (as probabilities() computes it) is written to `prob`
 * when given. Each combination is its own generated kernel: choices tested per row inside
 * one kernel made V8 compile it up to 2x slower on some runs.
 */
export function accumulate(
  g: Design,
  y: Uint8Array,
  theta: Float64Array,
  hessian = true,
  prob?: Float64Array,
): Sums {
  const k = g.denseCols.length;
  const sums = emptySums(k, g.patterns.length, hessian);
  const keep = prob !== undefined;
  const key = `${k}|${hessian}|${keep}`;
  let kernel = kernels.get(key);
  if (!kernel) {
    kernel = compileSums(k, hessian, keep);
    kernels.set(key, kernel);
  }
  const { wd, offset } = linear(g, theta);
  kernel(g.n, g.dense, g.pattern, y, wd, offset, sums, prob ?? NO_PROB);
  return sums;
}

/** Dense weights, and per pattern its indicator weights plus the intercept (one offset). */
function linear(g: Design, theta: Float64Array): { wd: Float64Array; offset: Float64Array } {
  const d = theta.length - 1;
  const wd = Float64Array.from(g.denseCols, (j) => theta[j]);
  const offset = Float64Array.from(g.patterns, (cols) =>
    cols.reduce((s, j) => s + theta[j], theta[d]),
  );
  return { wd, offset };
}

/** z_i = theta.x_i + b for every row: dense dot product plus the row's pattern offset. */
export function margins(g: Design, theta: Float64Array, z: Float64Array): void {
  marginsOrProba(g, theta, z, false);
}

/**
 * P(y = 1) for every row from margins() (the same terms in the same order) with the sums
 * kernel's one-exp sigmoid, so the same figures to the last bit, in one loop.
 */
export function probabilities(g: Design, theta: Float64Array, p: Float64Array): void {
  marginsOrProba(g, theta, p, true);
}

function marginsOrProba(g: Design, theta: Float64Array, out: Float64Array, proba: boolean) {
  const { wd, offset } = linear(g, theta);
  const k = g.denseCols.length;
  const key = proba ? -1 - k : k;
  let kernel = marginKernels.get(key);
  if (!kernel) {
    const cols = columns(k);
    const z = `offset[pattern[i]]${cols.map((a) => ` + w${a} * dense[r + ${a}]`).join('')}`;
    const src = [
      ...cols.map((a) => `const w${a} = wd[${a}];`),
      `for (let i = 0, r = 0; i < n; i++, r += ${k}) {`,
      ...(proba
        ? [
            `  const zi = ${z};`,
            '  const e = Math.exp(-Math.abs(zi));',
            '  z[i] = (zi > 0 ? 1 : e) / (1 + e);',
          ]
        : [`  z[i] = ${z};`]),
      '}',
    ].join('\n');
    kernel = new Function(
      'n',
      'dense',
      'pattern',
      'wd',
      'offset',
      'z',
      `${src}\n//# sourceURL=generated-${proba ? 'proba-rows' : 'margins'}.js`,
    ) as MarginKernel;
    marginKernels.set(key, kernel);
  }
  kernel(g.n, g.dense, g.pattern, wd, offset, out);
}

type ProbaKernel = (
  n: number,
  x: Float32Array,
  w: Float64Array,
  b: number,
  out: Float64Array,
) => void;
const probaKernels = new Map<number, ProbaKernel>();

/**
 * out[i] = sigmoid(b + w.x_i) for n rows of a row-major float32 matrix with d columns: the
 * scoring loop of validate and promote, with d fixed so the weights are locals. The terms
 * are added in the generic loop's order, so the figures are the same to the last bit.
 */
export function rowProba(
  x: Float32Array,
  n: number,
  d: number,
  w: Float64Array,
  b: number,
  out: Float64Array,
): void {
  if (d > 256) {
    for (let i = 0, r = 0; i < n; i++, r += d) {
      let s = b;
      for (let j = 0; j < d; j++) s += w[j] * x[r + j];
      out[i] = 1 / (1 + Math.exp(-s));
    }
    return;
  }
  let kernel = probaKernels.get(d);
  if (!kernel) {
    const cols = columns(d);
    const src = [
      ...cols.map((j) => `const w${j} = w[${j}];`),
      `for (let i = 0, r = 0; i < n; i++, r += ${d}) {`,
      `  const s = b${cols.map((j) => ` + w${j} * x[r + ${j}]`).join('')};`,
      '  out[i] = 1 / (1 + Math.exp(-s));',
      '}',
    ].join('\n');
    kernel = new Function(
      'n',
      'x',
      'w',
      'b',
      'out',
      `${src}\n//# sourceURL=generated-proba.js`,
    ) as ProbaKernel;
    probaKernels.set(d, kernel);
  }
  kernel(n, x, w, b, out);
}

function columns(k: number): number[] {
  if (!Number.isInteger(k) || k < 0 || k > 256) throw new Error(`kernel: bad dense width ${k}`);
  return Array.from({ length: k }, (_, a) => a);
}

function compileSums(k: number, hessian: boolean, keep: boolean): Kernel {
  const cols = columns(k);
  const pairs = cols.flatMap((a) => cols.filter((b) => b <= a).map((b) => [a, b] as const));
  const locals = [
    'loss',
    ...cols.map((a) => `g${a}`),
    ...(hessian ? pairs.map(([a, b]) => `h${a}_${b}`) : []),
  ];
  const src = [
    'const { gD, R, HD, V, W } = s;',
    ...cols.map((a) => `const w${a} = wd[${a}];`),
    `let ${locals.map((v) => `${v} = 0`).join(', ')};`,
    `for (let i = 0, r = 0; i < n; i++, r += ${k}) {`,
    '  const pat = pattern[i];',
    ...cols.map((a) => `  const u${a} = dense[r + ${a}];`),
    // The margin as margins() computes it: the same terms in the same order.
    `  const zi = offset[pat]${cols.map((a) => ` + w${a} * u${a}`).join('')};`,
    // One exp serves both: e = e^-|z|; sigmoid and log(1 + e^z) without overflow. Written
    // without branches on the sign of z or on y (random, so mispredicted), same values.
    '  const e = Math.exp(-Math.abs(zi));',
    '  const p = (zi > 0 ? 1 : e) / (1 + e);',
    ...(keep ? ['  prob[i] = p;'] : []),
    '  const softplus = Math.max(zi, 0) + Math.log1p(e);',
    '  const yi = y[i];',
    '  loss += softplus - yi * zi;',
    '  const resid = p - yi;',
    '  R[pat] += resid;',
    ...cols.map((a) => `  g${a} += resid * u${a};`),
    ...(hessian
      ? [
          '  const w = p * (1 - p);',
          '  W[pat] += w;',
          `  const v = pat * ${k};`,
          ...cols.map((a) => `  const wu${a} = w * u${a}; V[v + ${a}] += wu${a};`),
          ...pairs.map(([a, b]) => `  h${a}_${b} += wu${a} * u${b};`),
        ]
      : []),
    '}',
    's.loss = loss;',
    ...cols.map((a) => `gD[${a}] = g${a};`),
    ...(hessian ? pairs.map(([a, b]) => `HD[${a * k + b}] = h${a}_${b};`) : []),
  ].join('\n');
  const name = `generated-sums${hessian ? '' : '-grad'}${keep ? '-prob' : ''}.js`;
  return new Function(
    'n',
    'dense',
    'pattern',
    'y',
    'wd',
    'offset',
    's',
    'prob',
    `${src}\n//# sourceURL=${name}`,
  ) as Kernel;
}
