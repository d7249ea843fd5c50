import {
  designChunk,
  growChunk,
  IndicatorScan,
  MAX_INDICATORS,
  newPlan,
  type Design,
  type DesignPlan,
} from './design';
import type { DesignChunks } from './kernel';
import { SAMPLE_ROWS, type DesignSource, type HalfHelper } from './logreg';
import { MATRIX_CHUNK_ROWS, type MatrixReader } from './matrix';
import { readSpilled, RowSpill, type SpillRef } from './row-spill';

/**
 * The compact rows of train.bin, pass after pass, planned in one pass over the file: each
 * chunk is checked for indicator columns and compacted with the plan so far (a column that
 * stops being 0/1 after the first chunk, which a real dense column does at once, starts the
 * pass again without it). That pass counts the classes, keeps the first chunks' compact rows
 * up to DESIGN_CACHE_BYTES (23 bytes a row at 5 dense columns) and a sample of every k-th row
 * for the warm start; the rest are read and compacted again on every pass. Memory is that
 * fixed budget plus one chunk whatever the rows; small data never touches the disk twice.
 *
 * The chunks are then split in two fixed halves, balanced by their cost (a chunk read from
 * the file costs about DISK_CHUNK_COST cached ones): a pass sums each half's chunks in file
 * order and adds the two, so a helper thread (pass-helper.ts) can sum the second while this
 * thread sums the first. The cached rows live in shared memory for that; the helper reads
 * the rest of its half from the file itself. The cut depends on the rows and the cache
 * budget, never on the threads: one thread or two give the same model to the last bit.
 */
export const DESIGN_CACHE_BYTES = 64 * 2 ** 20;
/** A chunk re-read and compacted on every pass against one kept (measured: 1.4-1.6x). */
const DISK_CHUNK_COST = 1.5;

/** Chunks kept in compact form (shared memory), with their targets. */
export interface CachedChunk {
  g: Design;
  y: Uint8Array;
}

/**
 * A run of chunks: cached ones, then rows [diskFrom, diskTo) read from the spill file (its
 * block 0 is chunk `spilledFrom`) when there is one, else from train.bin.
 */
export interface ChunkSpan {
  cached: CachedChunk[];
  diskFrom: number;
  diskTo: number;
  spill?: SpillRef;
  spilledFrom: number;
}

/** What trainSource tells the helper thread once the rows are planned (PassHelper). */
export interface SpanHelper extends HalfHelper {
  setup(file: string, plan: DesignPlan, span: ChunkSpan): void;
}

/** The chunks of a span, in order, each compacted with the plan (one call is one pass). */
export function spanChunks(span: ChunkSpan, plan: DesignPlan, m: MatrixReader): DesignChunks {
  let scratch: Design | undefined;
  const spill = span.spill;
  return (fn) => {
    for (const c of span.cached) fn(c.g, c.y);
    if (span.diskFrom >= span.diskTo) return;
    if (spill) {
      scratch ??= emptyDesign(plan, MATRIX_CHUNK_ROWS, (n) => new ArrayBuffer(n));
      const y = new Uint8Array(MATRIX_CHUNK_ROWS);
      for (let first = span.diskFrom; first < span.diskTo; first += MATRIX_CHUNK_ROWS) {
        const n = Math.min(MATRIX_CHUNK_ROWS, span.diskTo - first);
        readSpilled(spill, first / MATRIX_CHUNK_ROWS - span.spilledFrom, n, scratch, y);
        fn(scratch, y);
      }
      return;
    }
    m.forEach(
      (ch) => {
        scratch = designChunk(plan, ch.x, ch.n, scratch);
        fn(scratch, ch.y);
      },
      { x: true, rowIndex: false },
      MATRIX_CHUNK_ROWS,
      span.diskFrom,
      span.diskTo,
    );
  };
}

export interface TrainSource extends DesignSource {
  rows: number;
  /** Closes the spill file (the rows beyond the cache), if one was made. */
  close(): void;
  positives: number;
  /** Every k-th row, for fitFromSample; absent on small data. */
  sample?: { source: DesignSource; rows: number };
}

/**
 * `spillDir`: where the rows beyond the cache may be written once in compact form (an
 * anonymous file, row-spill.ts), for the later passes to read instead of train.bin.
 */
export function trainSource(m: MatrixReader, helper?: SpanHelper, spillDir?: string): TrainSource {
  const parts = { x: true, rowIndex: false };
  // A test knob (the unit tests force the disk path on small data); not a step flag.
  const budget = Number(process.env.AIRFLOW_ML_DESIGN_CACHE_BYTES ?? DESIGN_CACHE_BYTES);
  const scan = new IndicatorScan(m.cols);
  let allDense = false; // too many patterns with the indicators: every column dense
  let spill: RowSpill | undefined;
  const start = () => {
    const ind = allDense ? [] : scan.indicators();
    const plan = newPlan(m.cols, ind.length <= MAX_INDICATORS ? ind : []);
    const rowBytes = 4 * plan.denseCols.length + 3;
    spill?.close(); // a new plan: a new layout
    spill =
      spillDir && m.rows * rowBytes > budget
        ? RowSpill.open(spillDir, plan.denseCols.length)
        : undefined;
    return {
      plan,
      rowBytes,
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
    const scanChunks = (fn: Parameters<MatrixReader['forEach']>[0]) => {
      try {
        m.forEach(fn, parts);
      } catch (err) {
        spill?.close(); // a corrupt or unreadable train.bin: the step fails, nothing left open
        throw err;
      }
    };
    scanChunks((ch) => {
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
      const g = growChunk(s.plan, ch.x, ch.n, keep ? sharedDesign(s.plan, ch.n) : s.scratch);
      if (!g) {
        allDense = again = true;
        return;
      }
      for (let i = 0; i < ch.n; i++) s.positives += ch.y[i];
      if (keep) {
        const y = new Uint8Array(new SharedArrayBuffer(ch.n));
        y.set(ch.y.subarray(0, ch.n));
        s.cache.push({ g, y });
        s.cachedRows += ch.n;
      } else {
        s.open = false;
        s.scratch = g;
        const j = ch.first / MATRIX_CHUNK_ROWS - s.cache.length;
        if (spill && !spill.write(j, g, ch.y)) {
          spill.close(); // the volume refused (full): re-read train.bin instead
          spill = undefined;
        }
      }
      s.sample.add(g, ch.y, ch.first);
    });
    if (again) continue;
    const { plan, cache, cachedRows } = s;
    const [a, b] = halves(cache, cachedRows, m.rows, spill?.ref);
    const forA = spanChunks(a, plan, m);
    const forB = spanChunks(b, plan, m);
    const filled = (span: ChunkSpan) => span.cached.length > 0 || span.diskFrom < span.diskTo;
    const split = filled(a) && filled(b); // one chunk (small data) is not split
    if (split) helper?.setup(m.file, plan, b);
    return {
      plan,
      rows: m.rows,
      positives: s.positives,
      forEach: (fn) => {
        forA(fn);
        forB(fn);
      },
      halves: split ? { a: forA, b: forB, aRows: spanRows(a), helper } : undefined,
      sample: s.sample.result(),
      close: () => spill?.close(),
    };
  }
}

/** Room for n compact rows in shared memory, so a helper thread reads a kept chunk in place. */
function sharedDesign(plan: DesignPlan, n: number): Design {
  return emptyDesign(plan, n, (bytes) => new SharedArrayBuffer(bytes));
}

function emptyDesign(
  plan: DesignPlan,
  n: number,
  buffer: (bytes: number) => ArrayBufferLike,
): Design {
  const k = plan.denseCols.length;
  return {
    n,
    denseCols: plan.denseCols,
    dense: new Float32Array(buffer(4 * n * k)),
    indicatorCols: plan.indicatorCols,
    pattern: new Uint16Array(buffer(2 * n)),
    patterns: plan.patterns,
  };
}

function spanRows(span: ChunkSpan): number {
  return span.cached.reduce((n, c) => n + c.g.n, 0) + span.diskTo - span.diskFrom;
}

/**
 * The chunks in two runs of about equal cost, cut at a chunk boundary: a function of the
 * rows and the cache alone (never of the threads), so the sums are too.
 */
function halves(
  cache: CachedChunk[],
  cachedRows: number,
  rows: number,
  spill: SpillRef | undefined,
): [ChunkSpan, ChunkSpan] {
  const chunks = Math.ceil(rows / MATRIX_CHUNK_ROWS);
  // A chunk's rows times their cost (the last chunk may be short).
  const cost = (c: number) =>
    Math.min(MATRIX_CHUNK_ROWS, rows - c * MATRIX_CHUNK_ROWS) *
    (c < cache.length ? 1 : DISK_CHUNK_COST);
  let total = 0;
  for (let c = 0; c < chunks; c++) total += cost(c);
  let cut = 0;
  for (let before = 0; cut < chunks && before + cost(cut) / 2 < total / 2; cut++) {
    before += cost(cut);
  }
  const at = Math.min(rows, cut * MATRIX_CHUNK_ROWS);
  const spilledFrom = cache.length;
  return [
    {
      cached: cache.slice(0, cut),
      diskFrom: cachedRows,
      diskTo: Math.max(cachedRows, at),
      spill,
      spilledFrom,
    },
    {
      cached: cache.slice(cut),
      diskFrom: Math.max(cachedRows, at),
      diskTo: rows,
      spill,
      spilledFrom,
    },
  ];
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
