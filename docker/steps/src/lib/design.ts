/**
 * A compact form of the training matrix that makes each Newton pass cheap. Columns holding
 * only 0 and 1 (the one-hot features) are "indicators"; each row's set of active indicators
 * is its "pattern", and a dataset has few distinct patterns (regions x plans here). A row is
 * then its dense values plus a pattern id, and every sum over indicator columns becomes a
 * sum over patterns: a Hessian pass costs ~k^2/2 + 2k updates per row for k dense columns
 * instead of (features+1)^2/2. Exact arithmetic, not an approximation.
 *
 * The plan (which columns are indicators, which patterns exist) is found in two passes over
 * all rows; the compact rows are then made a chunk at a time (designChunk), so training can
 * stream a matrix file that does not fit in memory.
 */
export interface Design {
  n: number;
  /** Column indices (in the original matrix) of the dense columns. */
  denseCols: Int32Array;
  /** Row-major n x k dense values, float64 so the hot loops convert nothing. */
  dense: Float64Array;
  /** Column indices of the indicator columns. */
  indicatorCols: Int32Array;
  /** Pattern id of each row. */
  pattern: Uint32Array;
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

/** Rows of a row-major float32 matrix, a chunk at a time (x holds n * d values). */
export type RowChunks = (fn: (x: Float32Array, n: number) => void) => void;

export function planDesign(chunks: RowChunks, d: number): DesignPlan {
  const isIndicator = new Uint8Array(d).fill(1);
  chunks((x, n) => {
    for (let i = 0, r = 0; i < n; i++, r += d) {
      for (let j = 0; j < d; j++) {
        const v = x[r + j];
        if (v !== 0 && v !== 1) isIndicator[j] = 0;
      }
    }
  });
  const indicators: number[] = [];
  for (let j = 0; j < d; j++) if (isIndicator[j]) indicators.push(j);
  // Pattern keys are sums of powers of two: exact in a double up to 52 indicator columns.
  return (
    (indicators.length <= 52 && tryPlan(chunks, d, indicators)) ||
    (tryPlan(chunks, d, []) as DesignPlan)
  );
}

function tryPlan(chunks: RowChunks, d: number, indicatorCols: number[]): DesignPlan | undefined {
  const denseCols: number[] = [];
  for (let j = 0; j < d; j++) if (!indicatorCols.includes(j)) denseCols.push(j);
  const ic = Int32Array.from(indicatorCols);
  const plan: DesignPlan = {
    d,
    denseCols: Int32Array.from(denseCols),
    indicatorCols: ic,
    patterns: [],
    direct: ic.length <= 20 ? new Int32Array(1 << ic.length).fill(-1) : undefined,
    ids: new Map(),
  };
  let tooMany = false;
  chunks((x, n) => {
    if (tooMany) return;
    for (let i = 0, r = 0; i < n; i++, r += d) {
      const key = patternKey(x, r, ic);
      if (lookup(plan, key) >= 0) continue;
      if (plan.patterns.length >= MAX_PATTERNS) {
        tooMany = true;
        return;
      }
      const id = plan.patterns.length;
      if (plan.direct) plan.direct[key] = id;
      else plan.ids.set(key, id);
      plan.patterns.push(
        Int32Array.from(indicatorCols.filter((_, b) => Math.floor(key / 2 ** b) % 2 === 1)),
      );
    }
  });
  return tooMany ? undefined : plan;
}

function patternKey(x: Float32Array, r: number, ic: Int32Array): number {
  let key = 0;
  for (let b = 0, bit = 1; b < ic.length; b++, bit *= 2) {
    if (x[r + ic[b]] === 1) key += bit;
  }
  return key;
}

function lookup(plan: DesignPlan, key: number): number {
  return plan.direct ? plan.direct[key] : (plan.ids.get(key) ?? -1);
}

/** The compact rows of one chunk; `into` (from an earlier chunk) is reused when it fits. */
export function designChunk(plan: DesignPlan, x: Float32Array, n: number, into?: Design): Design {
  const k = plan.denseCols.length;
  const d = plan.d;
  const g: Design =
    into && into.pattern.length >= n
      ? into
      : {
          n,
          denseCols: plan.denseCols,
          dense: new Float64Array(n * k),
          indicatorCols: plan.indicatorCols,
          pattern: new Uint32Array(n),
          patterns: plan.patterns,
        };
  g.n = n;
  const { dense, pattern } = g;
  const dc = plan.denseCols;
  const ic = plan.indicatorCols;
  for (let i = 0, r = 0; i < n; i++, r += d) {
    for (let a = 0; a < k; a++) dense[i * k + a] = x[r + dc[a]];
    const id = lookup(plan, patternKey(x, r, ic));
    if (id < 0) throw new Error('design: a pattern the plan did not see');
    pattern[i] = id;
  }
  return g;
}

/** The whole matrix in compact form (in memory). */
export function buildDesign(x: Float32Array, n: number, d: number): Design {
  const plan = planDesign((fn) => fn(x, n), d);
  return designChunk(plan, x, n);
}
