import type { Design } from './design';

/**
 * The training hot loop, specialised to the number of dense columns k. Written generically,
 * each per-row update of the gradient and of the k x k Hessian block is a load and a store
 * on a typed array; generated with k fixed, the accumulators are plain locals that V8 keeps
 * in registers, which makes a Newton pass 2-3x faster. Only integers are spliced into the
 * source, so the generated code cannot carry anything from the input data.
 *
 * Per row i with p = sigmoid(z_i), r = p - y_i, w = p (1 - p), u = dense values:
 *   gD += r u;  R[pattern] += r;                          (gradient)
 *   HD += w u u^T (lower);  V[pattern] += w u;  W[pattern] += w   (Hessian, if wanted)
 */
export interface Sums {
  gD: Float64Array;
  R: Float64Array;
  HD: Float64Array;
  V: Float64Array;
  W: Float64Array;
}

type Kernel = (
  n: number,
  dense: Float64Array,
  pattern: Uint32Array,
  y: Uint8Array,
  z: Float64Array,
  s: Sums,
) => void;

const cache = new Map<string, Kernel>();

export function accumulate(g: Design, y: Uint8Array, z: Float64Array, withHessian: boolean): Sums {
  const k = g.denseCols.length;
  const np = g.patterns.length;
  const sums: Sums = {
    gD: new Float64Array(k),
    R: new Float64Array(np),
    HD: new Float64Array(k * k),
    V: new Float64Array(np * k),
    W: new Float64Array(np),
  };
  const key = `${k}:${withHessian}`;
  let kernel = cache.get(key);
  if (!kernel) {
    kernel = compile(k, withHessian);
    cache.set(key, kernel);
  }
  kernel(g.n, g.dense, g.pattern, y, z, sums);
  return sums;
}

function compile(k: number, withHessian: boolean): Kernel {
  if (!Number.isInteger(k) || k < 0 || k > 256) throw new Error(`kernel: bad dense width ${k}`);
  const cols = Array.from({ length: k }, (_, a) => a);
  const pairs = cols.flatMap((a) => cols.filter((b) => b <= a).map((b) => [a, b] as const));
  const locals = [
    ...cols.map((a) => `g${a}`),
    ...(withHessian ? pairs.map(([a, b]) => `h${a}_${b}`) : []),
  ];
  const src = [
    'const { gD, R, HD, V, W } = s;',
    locals.length ? `let ${locals.map((v) => `${v} = 0`).join(', ')};` : '',
    `for (let i = 0, r = 0; i < n; i++, r += ${k}) {`,
    '  const p = 1 / (1 + Math.exp(-z[i]));',
    '  const resid = p - y[i];',
    '  const pat = pattern[i];',
    '  R[pat] += resid;',
    ...cols.map((a) => `  const u${a} = dense[r + ${a}];`),
    ...cols.map((a) => `  g${a} += resid * u${a};`),
    ...(withHessian
      ? [
          '  const w = p * (1 - p);',
          '  W[pat] += w;',
          `  const v = pat * ${k};`,
          ...cols.map((a) => `  const wu${a} = w * u${a}; V[v + ${a}] += wu${a};`),
          ...pairs.map(([a, b]) => `  h${a}_${b} += wu${a} * u${b};`),
        ]
      : []),
    '}',
    ...cols.map((a) => `gD[${a}] = g${a};`),
    ...(withHessian ? pairs.map(([a, b]) => `HD[${a * k + b}] = h${a}_${b};`) : []),
  ].join('\n');
  return new Function('n', 'dense', 'pattern', 'y', 'z', 's', src) as Kernel;
}

type LossKernel = (
  n: number,
  dense: Float64Array,
  pattern: Uint32Array,
  y: Uint8Array,
  wd: Float64Array,
  offset: Float64Array,
  z: Float64Array,
) => number;

const lossCache = new Map<number, LossKernel>();

/**
 * Writes the margins z_i = wd.u_i + offset[pattern_i] and returns the summed log loss
 * sum_i log(1 + e^z_i) - y_i z_i, in one pass (same specialisation as `accumulate`).
 */
export function marginsAndLoss(
  g: Design,
  y: Uint8Array,
  wd: Float64Array,
  offset: Float64Array,
  z: Float64Array,
): number {
  const k = g.denseCols.length;
  let kernel = lossCache.get(k);
  if (!kernel) {
    if (!Number.isInteger(k) || k < 0 || k > 256) throw new Error(`kernel: bad dense width ${k}`);
    const cols = Array.from({ length: k }, (_, a) => a);
    const src = [
      ...cols.map((a) => `const w${a} = wd[${a}];`),
      'let loss = 0;',
      `for (let i = 0, r = 0; i < n; i++, r += ${k}) {`,
      `  const zi = offset[pattern[i]]${cols.map((a) => ` + w${a} * dense[r + ${a}]`).join('')};`,
      '  z[i] = zi;',
      // log(1 + e^z) without overflow for large |z|
      '  const softplus = zi > 0 ? zi + Math.log1p(Math.exp(-zi)) : Math.log1p(Math.exp(zi));',
      '  loss += y[i] ? softplus - zi : softplus;',
      '}',
      'return loss;',
    ].join('\n');
    kernel = new Function('n', 'dense', 'pattern', 'y', 'wd', 'offset', 'z', src) as LossKernel;
    lossCache.set(k, kernel);
  }
  return kernel(g.n, g.dense, g.pattern, y, wd, offset, z);
}
