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

export function fitTransform(
  data: CsvColumns,
  columns: readonly ColumnSpec[],
  ds: string,
): Transform {
  const fitted: FittedColumn[] = columns.map((c) => {
    if (c.kind === 'numeric') {
      const v = data.numeric.get(c.name) as Float64Array;
      let sum = 0;
      for (let i = 0; i < v.length; i++) sum += v[i];
      const mean = sum / v.length;
      let ss = 0; // two passes: numerically sound where sum-of-squares would cancel
      for (let i = 0; i < v.length; i++) ss += (v[i] - mean) * (v[i] - mean);
      const std = Math.sqrt(ss / v.length);
      return { name: c.name, kind: 'numeric', mean, scale: std > 0 ? std : 1 };
    }
    if (c.kind === 'categorical') {
      const levels = (data.categorical.get(c.name) as { levels: string[] }).levels;
      return { name: c.name, kind: 'categorical', categories: [...levels].sort(byCodeUnit) };
    }
    throw new Error(`column ${c.name}: kind ${c.kind} is not a feature`);
  });
  return {
    formatVersion: TRANSFORM_VERSION,
    ds,
    fittedRows: data.rows,
    columns: fitted,
    features: featureNames(fitted),
  };
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
export function applyTransform(t: Transform, data: CsvColumns): Applied {
  const n = data.rows;
  const d = t.features.length;
  const x = new Float32Array(n * d);
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
