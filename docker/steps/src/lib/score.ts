import type { CsvColumns } from './csv-read';
import type { Transform } from './transform';

/**
 * P(y = 1) for raw CSV rows, straight from their columns: standardisation is folded into the
 * weights (w/scale, and the means into the intercept) and each categorical column becomes a
 * lookup of its weight per level, so predict never materialises the feature matrix.
 * Equal to applyTransform + predictProba up to float rounding; a level unseen at fit time
 * contributes nothing (all-zero one-hot), and is counted.
 */
export interface Scored {
  prob: Float64Array;
  unseen: Map<string, number>;
}

export function scoreRows(
  t: Transform,
  weights: readonly number[],
  intercept: number,
  data: CsvColumns,
): Scored {
  const n = data.rows;
  const z = new Float64Array(n);
  const unseen = new Map<string, number>();
  let bias = intercept;
  let j = 0;
  for (const c of t.columns) {
    if (c.kind === 'numeric') {
      const w = weights[j++] / c.scale;
      bias -= w * c.mean;
      const v = data.numeric.get(c.name) as Float64Array;
      for (let i = 0; i < n; i++) z[i] += w * v[i];
    } else {
      const { codes, levels } = data.categorical.get(c.name) as {
        codes: Uint32Array;
        levels: string[];
      };
      const start = j;
      const known = Int32Array.from(levels, (l) => c.categories.indexOf(l));
      const table = Float64Array.from(known, (o) => (o >= 0 ? weights[start + o] : 0));
      let missed = 0;
      for (let i = 0; i < n; i++) {
        const code = codes[i];
        z[i] += table[code];
        if (known[code] < 0) missed++;
      }
      if (missed > 0) unseen.set(c.name, missed);
      j += c.categories.length;
    }
  }
  for (let i = 0; i < n; i++) z[i] = 1 / (1 + Math.exp(-(z[i] + bias)));
  return { prob: z, unseen };
}
