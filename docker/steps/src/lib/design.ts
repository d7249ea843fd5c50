/**
 * A compact form of the training matrix that makes each Newton pass cheap. Columns holding
 * only 0 and 1 (the one-hot features) are "indicators"; each row's set of active indicators
 * is its "pattern", and a dataset has few distinct patterns (regions x plans here). A row is
 * then its dense values plus a pattern id, and every sum over indicator columns becomes a
 * sum over patterns: a Hessian pass costs ~k^2/2 + 2k updates per row for k dense columns
 * instead of (features+1)^2/2. Exact arithmetic, not an approximation.
 *
 * The plan is found in two passes over all rows: which columns are indicators
 * (findIndicators), then every pattern, numbered in order of first appearance (growChunk,
 * which compacts the rows as it goes, so a caller can keep them); designChunk then compacts
 * any chunk against the finished plan, so training can stream a matrix file that does not
 * fit in memory. Compacting is a loop generated for the column layout, so each row is a few
 * copies and one table lookup.
 */
export interface Design {
  n: number;
  /** Column indices (in the original matrix) of the dense columns. */
  denseCols: Int32Array;
  /**
   * Row-major n x k dense values, float32 as in the matrix file (so exact; the kernels
   * compute in float64): 4k + 2 bytes a row with the pattern id.
   */
  dense: Float32Array;
  /** Column indices of the indicator columns. */
  indicatorCols: Int32Array;
  /** Pattern id of each row. */
  pattern: Uint16Array;
  /** For each pattern, the original column indices of its active indicators. */
  patterns: Int32Array[];
}

/** Which columns are dense, which are indicators, and every pattern, with its id. */
export interface DesignPlan {
  d: number;
  denseCols: Int32Array;
  indicatorCols: Int32Array;
  patterns: Int32Array[];
  /** Pattern key (sum of 2^b over active indicators b) -> id: a table while keys are small. */
  direct: Int32Array | undefined;
  ids: Map<number, number>;
}

/** Beyond this many patterns the compact form stops paying: every column is then dense. */
export const MAX_PATTERNS = 4096;
/** Pattern keys are sums of powers of two: exact in a double up to 52 indicator columns. */
export const MAX_INDICATORS = 52;

/** Rows of a row-major float32 matrix, a chunk at a time (x holds n * d values). */
export type RowChunks = (fn: (x: Float32Array, n: number) => void) => void;

export function planDesign(chunks: RowChunks, d: number): DesignPlan {
  const indicators = findIndicators(chunks, d);
  return (
    (indicators.length <= MAX_INDICATORS && tryPlan(chunks, d, indicators)) ||
    (tryPlan(chunks, d, []) as DesignPlan)
  );
}

/** Columns holding only 0 and 1, from one pass (see IndicatorScan). */
export function findIndicators(chunks: RowChunks, d: number): number[] {
  const scan = new IndicatorScan(d);
  chunks((x, n) => scan.add(x, n));
  return scan.indicators();
}

/**
 * Which columns hold only 0 and 1, a chunk at a time. Each column still in the running is
 * checked down the chunk without a branch: for a float32 value v, |v (1 - v)| is 0 only for
 * 0 and 1 (it cannot underflow, and NaN or infinity make it NaN or infinite), so the sum
 * over the chunk is 0 exactly when every value is.
 */
export class IndicatorScan {
  private candidates: number[];

  constructor(private readonly d: number) {
    this.candidates = Array.from({ length: d }, (_, j) => j);
  }

  add(x: Float32Array, n: number): void {
    const d = this.d;
    const cand = Int32Array.from(this.candidates);
    const off = new Float64Array(cand.length);
    // Down each column a block of rows at a time, so the block stays in cache across them.
    for (let lo = 0; lo < n; lo += 512) {
      const end = Math.min(n, lo + 512) * d;
      for (let c = 0; c < cand.length; c++) {
        let sum = 0;
        for (let r = lo * d + cand[c]; r < end; r += d) {
          const v = x[r];
          sum += Math.abs(v * (1 - v));
        }
        off[c] += sum;
      }
    }
    this.candidates = this.candidates.filter((_, c) => off[c] === 0);
  }

  indicators(): number[] {
    return this.candidates.slice();
  }
}

/** A plan with these indicator columns and no pattern yet (growChunk adds them). */
export function newPlan(d: number, indicatorCols: readonly number[]): DesignPlan {
  const ic = Int32Array.from(indicatorCols);
  const denseCols: number[] = [];
  for (let j = 0; j < d; j++) if (!indicatorCols.includes(j)) denseCols.push(j);
  return {
    d,
    denseCols: Int32Array.from(denseCols),
    indicatorCols: ic,
    patterns: [],
    direct: ic.length <= 20 ? new Int32Array(1 << ic.length).fill(-1) : undefined,
    ids: new Map(),
  };
}

function tryPlan(chunks: RowChunks, d: number, indicatorCols: number[]): DesignPlan | undefined {
  const plan = newPlan(d, indicatorCols);
  let scratch: Design | undefined;
  let tooMany = false;
  chunks((x, n) => {
    if (tooMany) return;
    scratch = growChunk(plan, x, n, scratch);
    if (!scratch) tooMany = true;
  });
  return tooMany ? undefined : plan;
}

/**
 * The compact rows of one chunk, adding to the plan every pattern it has not seen yet
 * (numbered in order of first appearance); undefined when that would pass MAX_PATTERNS.
 * `into` (from an earlier chunk) is reused when it fits.
 */
export function growChunk(
  plan: DesignPlan,
  x: Float32Array,
  n: number,
  into?: Design,
): Design | undefined {
  const g = sized(plan, n, into);
  const compact = compactor(plan);
  for (let from = 0; ;) {
    from = compact(x, n, from, g.dense, g.pattern, plan.direct, plan.ids);
    if (from === n) return g;
    // Row `from` has a pattern the plan has not seen: add it and go on from that row.
    if (plan.patterns.length >= MAX_PATTERNS) return undefined;
    const key = patternKey(x, from * plan.d, plan.indicatorCols);
    if ((plan.direct ? plan.direct[key] : (plan.ids.get(key) ?? -1)) >= 0) {
      throw new Error('design: an indicator column holds a value other than 0 and 1');
    }
    const id = plan.patterns.length;
    if (plan.direct) plan.direct[key] = id;
    else plan.ids.set(key, id);
    const active = Array.from(plan.indicatorCols).filter(
      (_, b) => Math.floor(key / 2 ** b) % 2 === 1,
    );
    plan.patterns.push(Int32Array.from(active));
  }
}

/** The compact rows of one chunk; `into` (from an earlier chunk) is reused when it fits. */
export function designChunk(plan: DesignPlan, x: Float32Array, n: number, into?: Design): Design {
  const g = sized(plan, n, into);
  const done = compactor(plan)(x, n, 0, g.dense, g.pattern, plan.direct, plan.ids);
  if (done !== n) throw new Error('design: a pattern the plan did not see');
  return g;
}

/** The whole matrix in compact form (in memory). */
export function buildDesign(x: Float32Array, n: number, d: number): Design {
  const plan = planDesign((fn) => fn(x, n), d);
  return designChunk(plan, x, n);
}

function sized(plan: DesignPlan, n: number, into?: Design): Design {
  const k = plan.denseCols.length;
  const g: Design =
    into && into.pattern.length >= n
      ? into
      : {
          n,
          denseCols: plan.denseCols,
          dense: new Float32Array(n * k),
          indicatorCols: plan.indicatorCols,
          pattern: new Uint16Array(n),
          patterns: plan.patterns,
        };
  g.n = n;
  return g;
}

/** Key of a row's pattern: bit b set when indicator column b holds 1. */
function patternKey(x: Float32Array, r: number, ic: Int32Array): number {
  let key = 0;
  for (let b = 0, bit = 1; b < ic.length; b++, bit *= 2) {
    if (x[r + ic[b]] === 1) key += bit;
  }
  return key;
}

/**
 * Compacts rows from `from` on into dense and pattern; returns n, or the first row whose
 * pattern has no id yet. An indicator cell holds exactly 0 or 1, so the key is the sum of
 * cell * 2^b, without a branch; a cell that is neither (a plan used on other data) gives a
 * key with no id, which stops the loop like an unseen pattern.
 */
type Compactor = (
  x: Float32Array,
  n: number,
  from: number,
  dense: Float32Array,
  pattern: Uint16Array,
  direct: Int32Array | undefined,
  ids: Map<number, number>,
) => number;

const compactors = new Map<string, Compactor>();

function compactor(plan: DesignPlan): Compactor {
  const { d, denseCols: dc, indicatorCols: ic } = plan;
  const layout = `${d}|${dc.join(',')}|${ic.join(',')}|${plan.direct ? 'direct' : 'map'}`;
  let f = compactors.get(layout);
  if (f) return f;
  if (d > 512) {
    f = (x, n, from, dense, pattern, direct, ids) => {
      const k = dc.length;
      for (let i = from, r = from * d; i < n; i++, r += d) {
        for (let a = 0; a < k; a++) dense[i * k + a] = x[r + dc[a]];
        const key = patternKey(x, r, ic);
        const id = direct ? direct[key] : ids.get(key);
        if (id === undefined || id < 0) return i;
        pattern[i] = id;
      }
      return n;
    };
  } else {
    // Only integers (column indices, widths, powers of two) are spliced into the source.
    const k = dc.length;
    const key =
      ic.length === 0 ? '0' : Array.from(ic, (c, b) => `x[r + ${c}] * ${2 ** b}`).join(' + ');
    const src = [
      `for (let i = from, r = from * ${d}, o = from * ${k}; i < n; i++, r += ${d}, o += ${k}) {`,
      ...Array.from(dc, (c, a) => `  dense[o + ${a}] = x[r + ${c}];`),
      `  const key = ${key};`,
      // An integer index (not a double) keeps the table lookup a plain array load; a key
      // that is not an integer (a cell neither 0 nor 1) stops the loop.
      '  const ki = key | 0;',
      plan.direct ? '  const id = ki === key ? direct[ki] : -1;' : '  const id = ids.get(key);',
      '  if (!(id >= 0)) return i;',
      '  pattern[i] = id;',
      '}',
      'return n;',
    ].join('\n');
    f = new Function(
      'x',
      'n',
      'from',
      'dense',
      'pattern',
      'direct',
      'ids',
      `${src}\n//# sourceURL=generated-compact.js`,
    ) as Compactor;
  }
  compactors.set(layout, f);
  return f;
}
