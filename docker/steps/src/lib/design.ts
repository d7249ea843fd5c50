/**
 * A compact form of the training matrix that makes each Newton pass cheap. Columns holding
 * only 0 and 1 (the one-hot features) are "indicators"; each row's set of active indicators
 * is its "pattern", and a dataset has few distinct patterns (regions x plans here). A row is
 * then its dense values plus a pattern id, and every sum over indicator columns becomes a
 * sum over patterns: a Hessian pass costs ~k^2/2 + 2k updates per row for k dense columns
 * instead of (features+1)^2/2. Exact arithmetic, not an approximation.
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

/** Beyond this many patterns the compact form stops paying: every column is then dense. */
export const MAX_PATTERNS = 4096;

export function buildDesign(x: Float32Array, n: number, d: number): Design {
  const isIndicator = new Uint8Array(d).fill(1);
  for (let i = 0, r = 0; i < n; i++, r += d) {
    for (let j = 0; j < d; j++) {
      const v = x[r + j];
      if (v !== 0 && v !== 1) isIndicator[j] = 0;
    }
  }
  const indicators: number[] = [];
  for (let j = 0; j < d; j++) if (isIndicator[j]) indicators.push(j);
  // Pattern keys are sums of powers of two: exact in a double up to 52 indicator columns.
  return (
    (indicators.length <= 52 && tryDesign(x, n, d, indicators)) ||
    (tryDesign(x, n, d, []) as Design)
  );
}

function tryDesign(
  x: Float32Array,
  n: number,
  d: number,
  indicatorCols: number[],
): Design | undefined {
  const denseCols: number[] = [];
  for (let j = 0; j < d; j++) if (!indicatorCols.includes(j)) denseCols.push(j);

  const k = denseCols.length;
  const dense = new Float64Array(n * k);
  const pattern = new Uint32Array(n);
  const dc = Int32Array.from(denseCols);
  const ic = Int32Array.from(indicatorCols);
  // Pattern key -> id: a direct table while keys are small (the usual case), else a Map.
  const direct = ic.length <= 20 ? new Int32Array(1 << ic.length).fill(-1) : undefined;
  const ids = new Map<number, number>();
  const patterns: Int32Array[] = [];
  for (let i = 0, r = 0; i < n; i++, r += d) {
    for (let a = 0; a < k; a++) dense[i * k + a] = x[r + dc[a]];
    let key = 0;
    for (let b = 0, bit = 1; b < ic.length; b++, bit *= 2) {
      if (x[r + ic[b]] === 1) key += bit;
    }
    let id: number | undefined = direct ? direct[key] : ids.get(key);
    if (id === undefined || id < 0) {
      if (patterns.length >= MAX_PATTERNS) return undefined;
      id = patterns.length;
      if (direct) direct[key] = id;
      else ids.set(key, id);
      patterns.push(
        Int32Array.from(indicatorCols.filter((_, b) => Math.floor(key / 2 ** b) % 2 === 1)),
      );
    }
    pattern[i] = id;
  }
  return {
    n,
    denseCols: Int32Array.from(denseCols),
    dense,
    indicatorCols: Int32Array.from(indicatorCols),
    pattern,
    patterns,
  };
}
