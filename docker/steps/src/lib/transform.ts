import type { CsvColumns } from './csv-read';
import { inputError } from './errors';
import type { ColumnSpec } from './schema';

/**
 * The fitted preprocessing: standardisation of numeric columns (population std, like
 * scikit-learn's StandardScaler; a constant column gets scale 1) and one-hot encoding of
 * categoricals (sorted categories, like OneHotEncoder; a category unseen at fit time encodes
 * as all zeros, like handle_unknown="ignore"). Serialised as transform.json and copied into
 * model.json, so a model carries everything predict needs.
 */
export const TRANSFORM_VERSION = 1;

export type FittedColumn =
  | { name: string; kind: 'numeric'; mean: number; scale: number }
  | { name: string; kind: 'categorical'; categories: string[] };

export interface Transform {
  formatVersion: number;
  ds: string;
  fittedRows: number;
  columns: FittedColumn[];
  features: string[];
}

/**
 * Fits a transform one batch of rows at a time, in bounded memory. Means are the plain sum
 * over rows in file order divided by the count (the same double as summing all at once);
 * spreads merge each batch's own two-pass sum of squared deviations (Chan et al.), which
 * stays as sound as a two-pass over everything where a sum of squares would cancel.
 */
export class TransformFitter {
  private rows = 0;
  private readonly sum: Float64Array;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;

  constructor(private readonly columns: readonly ColumnSpec[]) {
    for (const c of columns) {
      if (c.kind !== 'numeric' && c.kind !== 'categorical') {
        throw new Error(`column ${c.name}: kind ${c.kind} is not a feature`);
      }
    }
    this.sum = new Float64Array(columns.length);
    this.mean = new Float64Array(columns.length);
    this.m2 = new Float64Array(columns.length);
  }

  add(batch: CsvColumns): void {
    const nb = batch.rows;
    if (nb === 0) return;
    const na = this.rows;
    this.columns.forEach((c, q) => {
      if (c.kind !== 'numeric') return;
      const v = batch.numeric.get(c.name) as Float64Array;
      let s = this.sum[q];
      let local = 0;
      for (let i = 0; i < nb; i++) {
        s += v[i];
        local += v[i];
      }
      this.sum[q] = s;
      const mb = local / nb;
      let ss = 0;
      for (let i = 0; i < nb; i++) ss += (v[i] - mb) * (v[i] - mb);
      const delta = mb - this.mean[q];
      const n = na + nb;
      this.mean[q] += (delta * nb) / n;
      this.m2[q] += ss + (delta * delta * na * nb) / n;
    });
    this.rows += nb;
  }

  /** The transform, given each categorical column's distinct values over all rows. */
  finish(ds: string, levels: (column: string) => string[]): Transform {
    const n = this.rows;
    const fitted: FittedColumn[] = this.columns.map((c, q) => {
      if (c.kind === 'numeric') {
        const std = Math.sqrt(this.m2[q] / n);
        return { name: c.name, kind: 'numeric', mean: this.sum[q] / n, scale: std > 0 ? std : 1 };
      }
      return {
        name: c.name,
        kind: 'categorical',
        categories: [...levels(c.name)].sort(byCodeUnit),
      };
    });
    return {
      formatVersion: TRANSFORM_VERSION,
      ds,
      fittedRows: n,
      columns: fitted,
      features: featureNames(fitted),
    };
  }
}

/** The transform of rows all in memory (one batch). */
export function fitTransform(
  data: CsvColumns,
  columns: readonly ColumnSpec[],
  ds: string,
): Transform {
  const f = new TransformFitter(columns);
  f.add(data);
  return f.finish(ds, (name) => (data.categorical.get(name) as { levels: string[] }).levels);
}

export function featureNames(columns: readonly FittedColumn[]): string[] {
  return columns.flatMap((c) =>
    c.kind === 'numeric' ? [c.name] : c.categories.map((k) => `${c.name}=${k}`),
  );
}

/** The raw columns a transform expects, to read a CSV strictly against it. */
export function transformColumns(t: Transform): ColumnSpec[] {
  return t.columns.map((c) => ({ name: c.name, kind: c.kind }));
}

export interface Applied {
  x: Float32Array;
  /** Rows per categorical column whose value was not seen at fit time. */
  unseen: Map<string, number>;
}

/** Row-major float32 matrix of `t.features` for every row of `data`. */
export function applyTransform(t: Transform, data: CsvColumns, into?: Float32Array): Applied {
  const n = data.rows;
  const d = t.features.length;
  const x = into && into.length >= n * d ? into.subarray(0, n * d) : new Float32Array(n * d);
  if (into) x.fill(0); // one-hot cells are only ever set to 1
  // Per column: where its features start, and for categoricals this file's level codes
  // mapped to feature offsets once (-1 when unseen at fit time), not once per row.
  const plan = t.columns.map((c, _, all) => {
    const start = featureNames(all.slice(0, all.indexOf(c))).length;
    if (c.kind === 'numeric') {
      return {
        c,
        start,
        values: data.numeric.get(c.name) as Float64Array,
        codes: null,
        offset: null,
      };
    }
    const { codes, levels } = data.categorical.get(c.name) as {
      codes: Uint32Array;
      levels: string[];
    };
    const offset = Int32Array.from(levels, (l) => c.categories.indexOf(l));
    return { c, start, values: null, codes, offset };
  });
  const missed = new Float64Array(plan.length);
  // Blocks of rows keep the written slice of x in cache while each column is swept.
  const BLOCK = 4096;
  for (let lo = 0; lo < n; lo += BLOCK) {
    const hi = Math.min(n, lo + BLOCK);
    plan.forEach((p, q) => {
      if (p.values && p.c.kind === 'numeric') {
        const { mean, scale } = p.c;
        const v = p.values;
        for (let i = lo, k = lo * d + p.start; i < hi; i++, k += d) x[k] = (v[i] - mean) / scale;
      } else if (p.codes && p.offset) {
        const { codes, offset } = p;
        for (let i = lo, k = lo * d + p.start; i < hi; i++, k += d) {
          const o = offset[codes[i]];
          if (o >= 0) x[k + o] = 1;
          else missed[q]++;
        }
      }
    });
  }
  const unseen = new Map<string, number>();
  plan.forEach((p, q) => {
    if (missed[q] > 0) unseen.set(p.c.name, missed[q]);
  });
  return { x, unseen };
}

/** Validates a parsed transform.json (or a model's copy of it). */
export function checkTransform(file: string, value: unknown): Transform {
  const bad = (why: string) => inputError(`${file}: not a valid transform: ${why}`);
  const t = value as Transform;
  if (
    typeof t !== 'object' ||
    t === null ||
    !Array.isArray(t.columns) ||
    !Array.isArray(t.features)
  ) {
    throw bad('expected an object with "columns" and "features"; was it written by preprocess?');
  }
  if (t.formatVersion !== TRANSFORM_VERSION) {
    throw bad(
      `format version ${String(t.formatVersion)} is not supported (expected ${TRANSFORM_VERSION})`,
    );
  }
  for (const c of t.columns) {
    const ok =
      typeof c?.name === 'string' &&
      ((c.kind === 'numeric' &&
        Number.isFinite(c.mean) &&
        Number.isFinite(c.scale) &&
        c.scale > 0) ||
        (c.kind === 'categorical' &&
          Array.isArray(c.categories) &&
          c.categories.every((k) => typeof k === 'string')));
    if (!ok) throw bad(`column ${JSON.stringify(c?.name)} is malformed`);
  }
  if (featureNames(t.columns).join('\u0000') !== t.features.join('\u0000')) {
    throw bad('"features" does not match "columns"');
  }
  return t;
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
