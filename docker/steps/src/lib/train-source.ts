import {
  designChunk,
  growChunk,
  IndicatorScan,
  MAX_INDICATORS,
  newPlan,
  type Design,
  type DesignPlan,
} from './design';
import { SAMPLE_ROWS, type DesignSource } from './logreg';
import { MATRIX_CHUNK_ROWS, type MatrixReader } from './matrix';

/**
 * The compact rows of train.bin, pass after pass, planned in one pass over the file: each
 * chunk is checked for indicator columns and compacted with the plan so far (a column that
 * stops being 0/1 after the first chunk, which a real dense column does at once, starts the
 * pass again without it). That pass counts the classes, keeps the first chunks' compact rows
 * up to DESIGN_CACHE_BYTES (23 bytes a row at 5 dense columns) and a sample of every k-th row
 * for the warm start; the rest are read and compacted again on every pass. Memory is that
 * fixed budget plus one chunk whatever the rows; small data never touches the disk twice.
 * Chunks are summed in file order either way, so the cache changes no figure.
 */
export const DESIGN_CACHE_BYTES = 64 * 2 ** 20;

export interface TrainSource extends DesignSource {
  rows: number;
  positives: number;
  /** Every k-th row, for fitFromSample; absent on small data. */
  sample?: { source: DesignSource; rows: number };
}

export function trainSource(m: MatrixReader): TrainSource {
  const parts = { x: true, rowIndex: false };
  // A test knob (the unit tests force the disk path on small data); not a step flag.
  const budget = Number(process.env.AIRFLOW_ML_DESIGN_CACHE_BYTES ?? DESIGN_CACHE_BYTES);
  const scan = new IndicatorScan(m.cols);
  let allDense = false; // too many patterns with the indicators: every column dense
  const start = () => {
    const ind = allDense ? [] : scan.indicators();
    const plan = newPlan(m.cols, ind.length <= MAX_INDICATORS ? ind : []);
    return {
      plan,
      rowBytes: 4 * plan.denseCols.length + 3,
      cache: [] as { g: Design; y: Uint8Array }[],
      cachedRows: 0,
      positives: 0,
      open: true,
      scratch: undefined as Design | undefined,
      sample: new Sampler(plan, m.rows),
    };
  };
  for (;;) {
    let s = start();
    let again = false;
    m.forEach((ch) => {
      if (again) return;
      if (s.plan.indicatorCols.length > 0) {
        scan.add(ch.x, ch.n);
        if (scan.indicators().length < s.plan.indicatorCols.length) {
          // An indicator column held another value: plan without it (from here when
          // nothing is kept yet, as on the first chunk, else on a new pass).
          if (ch.first === 0) s = start();
          else again = true;
          if (again) return;
        }
      }
      const keep = s.open && (s.cachedRows + ch.n) * s.rowBytes <= budget;
      const g = growChunk(s.plan, ch.x, ch.n, keep ? undefined : s.scratch);
      if (!g) {
        allDense = again = true;
        return;
      }
      for (let i = 0; i < ch.n; i++) s.positives += ch.y[i];
      if (keep) {
        s.cache.push({ g, y: ch.y.slice(0, ch.n) });
        s.cachedRows += ch.n;
      } else {
        s.open = false;
        s.scratch = g;
      }
      s.sample.add(g, ch.y, ch.first);
    }, parts);
    if (again) continue;
    const { plan, cache, cachedRows } = s;
    let scratch = s.scratch;
    return {
      plan,
      rows: m.rows,
      positives: s.positives,
      forEach: (fn) => {
        for (const c of cache) fn(c.g, c.y);
        if (cachedRows === m.rows) return;
        m.forEach(
          (ch) => {
            scratch = designChunk(plan, ch.x, ch.n, scratch);
            fn(scratch, ch.y);
          },
          parts,
          MATRIX_CHUNK_ROWS,
          cachedRows,
        );
      },
      sample: s.sample.result(),
    };
  }
}

/** Every k-th row's compact form, for the warm start (none when the data is small). */
class Sampler {
  private readonly stride: number;
  private readonly g: Design | undefined;
  private readonly y: Uint8Array;
  private n = 0;

  constructor(
    private readonly plan: DesignPlan,
    rows: number,
  ) {
    // A test knob (the unit tests take the warm start on small data); not a step flag.
    const target = Number(process.env.AIRFLOW_ML_SAMPLE_ROWS ?? SAMPLE_ROWS);
    this.stride = Math.floor(rows / target);
    const size = this.stride >= 4 ? Math.ceil(rows / this.stride) : 0;
    const k = plan.denseCols.length;
    this.g =
      size > 0
        ? {
            n: 0,
            denseCols: plan.denseCols,
            dense: new Float32Array(size * k),
            indicatorCols: plan.indicatorCols,
            pattern: new Uint16Array(size),
            patterns: plan.patterns,
          }
        : undefined;
    this.y = new Uint8Array(size);
  }

  add(g: Design, y: Uint8Array, first: number): void {
    const s = this.g;
    if (!s) return;
    const k = g.denseCols.length;
    for (let i = (this.stride - (first % this.stride)) % this.stride; i < g.n; i += this.stride) {
      s.dense.set(g.dense.subarray(i * k, i * k + k), this.n * k);
      s.pattern[this.n] = g.pattern[i];
      this.y[this.n] = y[i];
      this.n++;
    }
  }

  result(): { source: DesignSource; rows: number } | undefined {
    const s = this.g;
    if (!s) return undefined;
    s.n = this.n;
    return { source: { plan: this.plan, forEach: (fn) => fn(s, this.y) }, rows: this.n };
  }
}
