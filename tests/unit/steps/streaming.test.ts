import * as fs from 'node:fs';
import * as path from 'node:path';
import { CsvStream, parseCsv, type CsvColumns } from '../../../docker/steps/src/lib/csv-read';
import { designChunk, planDesign, type Design } from '../../../docker/steps/src/lib/design';
import {
  fitFromSample,
  fitLogistic,
  fitLogisticStream,
} from '../../../docker/steps/src/lib/logreg';
import { MatrixReader, readMatrix, writeMatrix } from '../../../docker/steps/src/lib/matrix';
import { withOutputs } from '../../../docker/steps/src/lib/atomic';
import { trainSource } from '../../../docker/steps/src/lib/train-source';
import {
  MetricsPass,
  rocAuc,
  rocCurve,
  streamMetrics,
} from '../../../docker/steps/src/lib/metrics';
import { ScoreHistogram, type ScorePass } from '../../../docker/steps/src/lib/ranking';
import { Rng } from '../../../docker/steps/src/lib/rng';
import type { ColumnSpec } from '../../../docker/steps/src/lib/schema';
import { fitTransform, TransformFitter } from '../../../docker/steps/src/lib/transform';
import { readJsonFile, tmpDir, trainPipeline } from './helpers';

/**
 * Bounded memory without changed results: the streaming CSV reader against the one-buffer
 * parse at every chunk size, the ranking against the sort-everything AUC and curve, the
 * out-of-core Newton fit against the in-memory one, and no whole-file read in the steps.
 */
const COLS: ColumnSpec[] = [
  { name: 'n', kind: 'numeric' },
  { name: 'c', kind: 'categorical' },
  { name: 'b', kind: 'binary' },
];

/** Every batch of a stream over text with a given chunk size, joined; or its error. */
function streamed(text: string, chunk: number): CsvColumns | string {
  const buf = Buffer.from(text);
  let used = 0;
  const s = new CsvStream(
    'f.csv',
    COLS,
    (into, offset, length) => {
      const n = Math.min(length, buf.length - used, 3); // short reads too
      into.set(buf.subarray(used, used + n), offset);
      used += n;
      return n;
    },
    chunk,
  );
  const num: number[] = [];
  const cat: string[] = [];
  const bin: number[] = [];
  try {
    for (let b = s.next(); b; b = s.next()) {
      expect(b.firstRow).toBe(num.length);
      const c = b.categorical.get('c');
      num.push(...(b.numeric.get('n') ?? []));
      cat.push(...Array.from(c?.codes ?? [], (k) => c?.levels[k] ?? '?'));
      bin.push(...(b.binary.get('b') ?? []));
    }
  } catch (err) {
    return (err as Error).message;
  }
  return {
    file: 'f.csv',
    rows: num.length,
    numeric: new Map([['n', Float64Array.from(num)]]),
    categorical: new Map([['c', { codes: Uint32Array.from(cat.keys()), levels: cat }]]),
    binary: new Map([['b', Uint8Array.from(bin)]]),
  };
}

function whole(text: string): CsvColumns | string {
  try {
    const t = parseCsv('f.csv', Buffer.from(text), COLS);
    const c = t.categorical.get('c');
    const cat = Array.from(c?.codes ?? [], (k) => c?.levels[k] ?? '?');
    return {
      file: t.file,
      rows: t.rows,
      numeric: t.numeric,
      categorical: new Map([['c', { codes: Uint32Array.from(cat.keys()), levels: cat }]]),
      binary: t.binary,
    };
  } catch (err) {
    return (err as Error).message;
  }
}

describe('streaming CSV reader', () => {
  const inputs = [
    'n,c,b\n1,a,0\n-2.5,bb,1\n+3,"a",0\n1e3,ccc,1\n.5,"x\ny",0\n7,a,1\n',
    '\ufeffb,n,c\r\n1,1,a\r\n0,2,"q""uote"\r\n1,3,a',
    'n,c,b\n1,a,0\n\n\n',
    'n,"c\n",b\n1,a,0\n',
    'n,c,b\n1,a,0\n2,b,1\n3.3.3,c,0\n',
    'n,c,b\n1,a,0\n2,"b\n',
    'n,c,b\n1,"a"x,0\n',
    'n,c,b\n1,a,0\n\n2,b,1\n',
    'n,c,b\n1,a\n',
    'n,c,b\n1,a,0,9\n',
    'n,c,b\n1,a,2\n',
    'n,c,b\n',
    'n,c,b\n"1",a,"1"\n"",a,0\n',
    '',
  ];

  it.each(inputs.map((text) => [JSON.stringify(text), text]))(
    '%s: the same rows or the same error at every chunk size',
    (_, text) => {
      const want = whole(text);
      const failed: string[] = [];
      for (let chunk = 1; chunk <= text.length + 2; chunk++) {
        const got = streamed(text, chunk);
        if (JSON.stringify(got, replacer) !== JSON.stringify(want, replacer)) {
          failed.push(`chunk ${chunk}: ${JSON.stringify(got, replacer)}`);
        }
      }
      expect(failed).toEqual([]);
    },
  );

  it('streams a long file in batches, numbering rows and lines across them', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},L${i % 7},${i % 2}`);
    const text = `n,c,b\n${rows.join('\n')}\n9,"bad"x,0\n`;
    expect(streamed(text, 256)).toBe('f.csv:5002:3: unexpected text after a closing quote');
    const ok = streamed(`n,c,b\n${rows.join('\n')}\n`, 256) as CsvColumns;
    expect(ok.rows).toBe(5000);
    expect(Array.from(ok.numeric.get('n') ?? []).filter((v, i) => v !== i)).toEqual([]);
  });
});

function replacer(_key: string, v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries(v);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  return v;
}

describe('streaming fit of the transform', () => {
  it('matches a two-pass fit over all rows within 1e-12, whatever the batches', () => {
    const rng = new Rng('fitter');
    const n = 10_000;
    const v = Float64Array.from({ length: n }, () => 1e6 + 1000 * rng.normal());
    const batch = (lo: number, hi: number): CsvColumns => ({
      file: 'f',
      rows: hi - lo,
      numeric: new Map([['x', v.subarray(lo, hi)]]),
      categorical: new Map(),
      binary: new Map(),
    });
    const cols: ColumnSpec[] = [{ name: 'x', kind: 'numeric' }];
    let mean = 0;
    for (const x of v) mean += x;
    mean /= n;
    let ss = 0;
    for (const x of v) ss += (x - mean) ** 2;
    const std = Math.sqrt(ss / n);
    for (const size of [1, 7, 333, 4096, n]) {
      const f = new TransformFitter(cols);
      for (let lo = 0; lo < n; lo += size) f.add(batch(lo, Math.min(n, lo + size)));
      const c = f.finish('d', () => []).columns[0] as { mean: number; scale: number };
      expect(c.mean).toBe(mean); // the same sum in the same order
      expect(Math.abs(c.scale - std) / std).toBeLessThan(1e-12);
    }
    const one = fitTransform(batch(0, n), cols, 'd').columns[0] as { scale: number };
    expect(Math.abs(one.scale - std) / std).toBeLessThan(1e-12);
  });
});

describe('streaming ranking', () => {
  function scores(n: number, seed: string, distinct: number) {
    const rng = new Rng(seed);
    const s = new Float64Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = distinct > 0 ? rng.below(distinct) / distinct : rng.uniform();
      y[i] = rng.uniform() < 0.2 + 0.6 * s[i] ? 1 : 0;
    }
    return { s, y };
  }
  const passOf =
    (s: Float64Array, y: Uint8Array, chunk: number): ScorePass =>
    (visit) => {
      for (let lo = 0; lo < s.length; lo += chunk) {
        const hi = Math.min(s.length, lo + chunk);
        visit(s.subarray(lo, hi), y.subarray(lo, hi), hi - lo);
      }
    };

  it.each([
    ['distinct scores', 0],
    ['many ties', 50],
    ['two values', 2],
    ['one value', 1],
  ])('%s: the same AUC and curve as sorting everything, at any budget', (_, distinct) => {
    const { s, y } = scores(20_000, `rank-${distinct}`, distinct as number);
    const auc = rocAuc(s, y);
    const curve = rocCurve(s, y);
    for (const budget of [100, 1500, 7000, 1e6]) {
      const got = streamMetrics(passOf(s, y, 999), { points: 101, budget });
      expect([budget, got.metrics.rocAuc]).toEqual([budget, auc]);
      expect(got.curve).toEqual(curve);
      // The first histogram filled by the caller (as train's last Newton pass does), over
      // [0, 1]: the same figures, one pass fewer.
      const histogram = new ScoreHistogram(0, 1);
      const first = new MetricsPass();
      passOf(
        s,
        y,
        999,
      )((c, cy, m) => {
        first.visit(c, cy, m);
        histogram.add(c, cy, m);
      });
      const pre = first.finish(passOf(s, y, 999), { points: 101, budget, histogram });
      expect([budget, pre.metrics, pre.curve]).toEqual([budget, got.metrics, curve]);
    }
  });

  it('splits a bin crowded beyond the budget by its own histogram', () => {
    // 20,000 scores packed near 0.5 (spread 1e-9) plus two outliers: one top-level bin.
    const rng = new Rng('crowded');
    const n = 20_000;
    const s = Float64Array.from({ length: n }, () => 0.5 + 1e-9 * rng.uniform());
    const y = Uint8Array.from({ length: n }, (_, i) => (rng.uniform() < s[i] - 0.3 ? 1 : 0));
    s[0] = 0;
    s[1] = 1;
    const got = streamMetrics(passOf(s, y, 4096), { points: 101, budget: 500 });
    expect(got.metrics.rocAuc).toBe(rocAuc(s, y));
    expect(got.curve).toEqual(rocCurve(s, y));
  });
});

describe('out-of-core training', () => {
  it('gives the in-memory model within 1e-6, chunk by chunk', () => {
    const rng = new Rng('ooc');
    const n = 5000;
    const d = 7;
    const x = new Float32Array(n * d);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 4; j++) x[i * d + j] = rng.normal();
      x[i * d + 4 + rng.below(3)] = 1;
      const z = 0.9 * x[i * d] - 0.4 * x[i * d + 2] + x[i * d + 5] - 0.2;
      y[i] = rng.uniform() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    }
    const ref = fitLogistic(x, y, n, d, { c: 1, maxIter: 100 });
    for (const chunk of [1, 97, 1024]) {
      const each = (fn: (x: Float32Array, y: Uint8Array, m: number) => void) => {
        for (let lo = 0; lo < n; lo += chunk) {
          const hi = Math.min(n, lo + chunk);
          fn(x.subarray(lo * d, hi * d), y.subarray(lo, hi), hi - lo);
        }
      };
      const plan = planDesign((fn) => each((cx, _y, m) => fn(cx, m)), d);
      let g: Design | undefined;
      const fit = fitLogisticStream(
        {
          plan,
          forEach: (fn) =>
            each((cx, cy, m) => {
              g = designChunk(plan, cx, m, g);
              fn(g, cy);
            }),
        },
        { c: 1, maxIter: 100 },
      );
      const diff = Math.max(
        Math.abs(fit.intercept - ref.intercept),
        ...Array.from(fit.weights, (w, j) => Math.abs(w - ref.weights[j])),
      );
      expect([chunk, fit.converged, diff < 1e-6]).toEqual([chunk, true, true]);
    }
  });

  it('the train step (streaming train.bin in chunks) matches the in-memory fit within 1e-6', () => {
    // 100,000 rows: train.bin holds 80,000, more than one 65,536-row chunk. With a 1 MiB
    // design cache no chunk fits (65,536 compact rows take 2.8 MiB), so every pass reads
    // train.bin again; with the default cache both chunks are kept after the first pass.
    // Both give the same model.json, byte for byte.
    process.env.AIRFLOW_ML_DESIGN_CACHE_BYTES = String(2 ** 20);
    let p;
    try {
      p = trainPipeline(100_000, 3);
    } finally {
      delete process.env.AIRFLOW_ML_DESIGN_CACHE_BYTES;
    }
    const cached = trainPipeline(100_000, 3);
    expect(fs.readFileSync(cached.model, 'utf8')).toBe(fs.readFileSync(p.model, 'utf8'));
    const m = readMatrix(path.join(p.splits, 'train.bin'));
    expect(m.rows).toBeGreaterThan(65_536);
    const ref = fitLogistic(m.x, m.y, m.rows, m.cols, { c: 1, maxIter: 100 });
    const model = readJsonFile<{ weights: number[]; intercept: number }>(p.model);
    const diff = Math.max(
      Math.abs(model.intercept - ref.intercept),
      ...model.weights.map((w, j) => Math.abs(w - ref.weights[j])),
    );
    expect(diff).toBeLessThan(1e-6);
    expect(model.weights).toHaveLength(13);

    // The warm start (Newton first on every 8th row, then on all rows from its optimum),
    // which the step takes above 262,144 rows: the same model within 1e-6, and the same
    // optimum to the last digits that matter.
    process.env.AIRFLOW_ML_SAMPLE_ROWS = '10000';
    let warm;
    try {
      warm = trainPipeline(100_000, 3);
    } finally {
      delete process.env.AIRFLOW_ML_SAMPLE_ROWS;
    }
    const w = readJsonFile<{
      weights: number[];
      intercept: number;
      training: { converged: boolean; gradientMax: number; rows: number };
    }>(warm.model);
    const warmDiff = Math.max(
      Math.abs(w.intercept - ref.intercept),
      ...w.weights.map((v, j) => Math.abs(v - ref.weights[j])),
    );
    expect([w.training.converged, warmDiff < 1e-6, w.training.gradientMax < 1e-6]).toEqual([
      true,
      true,
      true,
    ]);
  });

  /**
   * n rows in a train.bin where column 1 is 0/1 in the first 65,536-row chunk and 0.5 in
   * some rows after it (so planning starts again with it dense); 2 and 3 are one-hot.
   */
  function replanMatrix(seed: string, n: number) {
    const rng = new Rng(seed);
    const d = 4;
    const x = new Float32Array(n * d);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x[i * d] = rng.normal();
      x[i * d + 1] = i >= 66_000 && i % 3 === 0 ? 0.5 : rng.below(2);
      x[i * d + 2 + rng.below(2)] = 1;
      const z = 0.8 * x[i * d] + 0.6 * x[i * d + 1] - 0.4 * x[i * d + 3];
      y[i] = rng.uniform() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    }
    const dir = tmpDir();
    const file = path.join(dir, 'train.bin');
    const features = ['a', 'b', 'c', 'd'];
    withOutputs((out) =>
      writeMatrix(out, file, { rows: n, cols: d, features, x, rowIndex: new Uint32Array(n), y }),
    );
    return { dir, file, x, y, d };
  }

  it('re-plans when a column that looked 0/1 in the first chunk holds another value later', () => {
    // The one planning pass must start again with column 1 dense, and fit what the in-memory
    // fit fits.
    const n = 70_000;
    const { file, x, y, d } = replanMatrix('replan', n);
    const m = MatrixReader.open(file);
    try {
      const src = trainSource(m);
      expect([Array.from(src.plan.indicatorCols), src.positives]).toEqual([
        [2, 3],
        y.reduce((a, v) => a + v, 0),
      ]);
      const fit = fitLogisticStream(src, { c: 1, maxIter: 100 });
      const ref = fitLogistic(x, y, n, d, { c: 1, maxIter: 100 });
      const diff = Math.max(
        Math.abs(fit.intercept - ref.intercept),
        ...Array.from(fit.weights, (w, j) => Math.abs(w - ref.weights[j])),
      );
      expect(diff).toBeLessThan(1e-9);
    } finally {
      m.close();
    }
  });

  it('spills the rows beyond the cache once, compact, and fits what re-reading train.bin fits', () => {
    // A 100 KB cache keeps no 65,536-row chunk, so with a spill directory every chunk is
    // written compact to an anonymous file in the planning pass and read from it on every
    // later pass; without one, train.bin is read and compacted again. Column 1 turns out
    // dense in the second chunk, so the planning pass starts again with a wider row and a
    // new spill file. Both fits are the same to the last bit, and nothing is left behind.
    const { dir, file } = replanMatrix('spill', 140_000);
    const fit = (spillDir?: string) => {
      const m = MatrixReader.open(file);
      process.env.AIRFLOW_ML_DESIGN_CACHE_BYTES = '100000';
      try {
        const src = trainSource(m, undefined, spillDir);
        expect(Array.from(src.plan.indicatorCols)).toEqual([2, 3]);
        const r = fitLogisticStream(src, { c: 1, maxIter: 100 });
        src.close();
        return [Array.from(r.weights), r.intercept, r.objective, r.iterations];
      } finally {
        delete process.env.AIRFLOW_ML_DESIGN_CACHE_BYTES;
        m.close();
      }
    };
    expect(fit(dir)).toEqual(fit(undefined));
    expect(fs.readdirSync(dir)).toEqual(['train.bin']);
  });

  it("the warm start from a sample reaches the cold fit's optimum", () => {
    const rng = new Rng('warm');
    const n = 40_000;
    const d = 6;
    const x = new Float32Array(n * d);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 3; j++) x[i * d + j] = rng.normal();
      x[i * d + 3 + rng.below(3)] = 1;
      const z = 1.2 * x[i * d] - 0.7 * x[i * d + 1] + 0.5 * x[i * d + 4] + 0.3;
      y[i] = rng.uniform() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    }
    const cold = fitLogistic(x, y, n, d, { c: 1, maxIter: 100 });
    const plan = planDesign((fn) => fn(x, n), d);
    const g = designChunk(plan, x, n);
    const every = 8;
    const m = Math.ceil(n / every);
    const sx = new Float32Array(m * d);
    const sy = new Uint8Array(m);
    for (let i = 0; i < m; i++) {
      sx.set(x.subarray(i * every * d, i * every * d + d), i * d);
      sy[i] = y[i * every];
    }
    const sg = designChunk(plan, sx, m);
    const warm = fitFromSample(
      { plan, forEach: (fn) => fn(g, y) },
      n,
      { source: { plan, forEach: (fn) => fn(sg, sy) }, rows: m },
      { c: 1, maxIter: 100 },
    );
    const diff = Math.max(
      Math.abs(warm.intercept - cold.intercept),
      ...Array.from(warm.weights, (w, j) => Math.abs(w - cold.weights[j])),
    );
    expect([warm.converged, diff < 1e-9, warm.iterations < cold.iterations]).toEqual([
      true,
      true,
      true,
    ]);
    expect(Math.abs(warm.objective - cold.objective) / cold.objective).toBeLessThan(1e-12);
  });
});

describe('no whole-file reads in the steps', () => {
  it('no readFileSync of a data file anywhere in the TypeScript steps or their library', () => {
    const root = path.join(__dirname, '../../../docker/steps');
    const files = (fs.readdirSync(root, { recursive: true }) as string[])
      .map((f) => f.split(path.sep).join('/'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .sort();
    expect(files.length).toBeGreaterThan(20);
    // Allowed: lib/json.ts (model.json, metrics.json, transform.json: small by design), the
    // registry's history.jsonl (one line per promotion) and train's read of the cgroup's
    // one-line CPU quota (pass-helper.ts). No CSV or matrix file.
    const offenders = files.flatMap((f) =>
      fs
        .readFileSync(path.join(root, f), 'utf8')
        .split('\n')
        .map((line, i) => ({ where: `${f}:${i + 1}`, line }))
        .filter(({ line }) => /readFileSync|readFile\(|createReadStream/.test(line))
        .map(({ where, line }) => `${where}: ${line.trim()}`),
    );
    expect(offenders).toEqual([
      "src/lib/json.ts:8: text = fs.readFileSync(file, 'utf8');",
      "src/lib/pass-helper.ts:58: return fs.readFileSync(file, 'utf8').trim(); // a one-line kernel file, not data",
      "src/lib/registry.ts:141: text = fs.readFileSync(path.join(modelsRoot, HISTORY_FILE), 'utf8');",
    ]);
  });
});
