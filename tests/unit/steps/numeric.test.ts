import fc from 'fast-check';
import type { AtomicFile } from '../../../docker/steps/src/lib/atomic';
import { CsvBytes } from '../../../docker/steps/src/lib/csv-write';
import { buildDesign } from '../../../docker/steps/src/lib/design';
import { choleskySolve } from '../../../docker/steps/src/lib/linalg';
import { fitLogistic } from '../../../docker/steps/src/lib/logreg';
import { classificationMetrics, rocAuc } from '../../../docker/steps/src/lib/metrics';
import { parseDecimal } from '../../../docker/steps/src/lib/numparse';
import { Rng } from '../../../docker/steps/src/lib/rng';

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('parseDecimal', () => {
  it('equals Number() on every plain decimal', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        for (const s of [String(v), v.toFixed(2), v.toFixed(7)]) {
          if (/^-?\d+(\.\d+)?(e[+-]\d+)?$/.test(s))
            expect(parseDecimal(bytes(s), 0, s.length)).toBe(Number(s));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    '',
    '-',
    '.',
    'abc',
    '1,5',
    '0x10',
    'Infinity',
    'NaN',
    ' 1',
    '1 ',
    '1e',
    '--1',
    '1.2.3',
    '1e999',
  ])('rejects %j', (s) => expect(parseDecimal(bytes(s), 0, s.length)).toBeNaN());

  it.each([
    ['007', 7],
    ['+3.5', 3.5],
    ['-0.125', -0.125],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['12345678901234567890', 1.2345678901234567e19],
  ])('parses %j', (s, v) => expect(parseDecimal(bytes(s), 0, s.length)).toBe(v));
});

describe('rocAuc', () => {
  const brute = (s: number[], y: number[]) => {
    let sum = 0;
    let pairs = 0;
    for (let i = 0; i < s.length; i++)
      for (let j = 0; j < s.length; j++)
        if (y[i] === 1 && y[j] === 0) {
          pairs++;
          sum += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
        }
    return sum / pairs;
  };
  it('matches the pairwise definition, ties counted half', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1 })), {
          minLength: 2,
          maxLength: 40,
        }),
        (rows) => {
          const y = rows.map((r) => r[1]);
          fc.pre(y.includes(0) && y.includes(1));
          const s = rows.map((r) => r[0] / 5);
          expect(rocAuc(Float64Array.from(s), Uint8Array.from(y))).toBeCloseTo(brute(s, y), 12);
        },
      ),
    );
  });
  it('is NaN with one class', () =>
    expect(rocAuc(new Float64Array([0.1, 0.2]), new Uint8Array([1, 1]))).toBeNaN());
  it('computes accuracy, F1 and log loss', () => {
    const m = classificationMetrics(
      new Float64Array([0.9, 0.2, 0.6, 0.4]),
      new Uint8Array([1, 0, 0, 1]),
    );
    expect(m).toMatchObject({ rows: 4, positives: 2, accuracy: 0.5, f1: 0.5, rocAuc: 0.75 });
    expect(m.logLoss).toBeCloseTo(
      -(Math.log(0.9) + Math.log(0.8) + Math.log(0.4) + Math.log(0.4)) / 4,
      12,
    );
  });
});

describe('logistic regression', () => {
  /** A small mixed matrix: 3 dense columns and a 3-level one-hot group. */
  function data(n: number, seed: string) {
    const rng = new Rng(seed);
    const d = 6;
    const x = new Float32Array(n * d);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 3; j++) x[i * d + j] = rng.normal();
      const g = rng.below(3);
      x[i * d + 3 + g] = 1;
      const z = 0.8 * x[i * d] - 1.2 * x[i * d + 1] + (g - 1) * 0.7 + 0.3;
      y[i] = rng.uniform() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    }
    return { x, y, n, d };
  }

  it('finds the optimum: the penalised gradient vanishes, for several C', () => {
    const { x, y, n, d } = data(2000, 'opt');
    for (const c of [0.01, 1, 100]) {
      const fit = fitLogistic(x, y, n, d, { c, maxIter: 100 });
      expect(fit.converged).toBe(true);
      // Recompute the gradient independently, straight from the definition.
      const g = new Float64Array(d + 1);
      for (let i = 0; i < n; i++) {
        let z = fit.intercept;
        for (let j = 0; j < d; j++) z += fit.weights[j] * x[i * d + j];
        const r = 1 / (1 + Math.exp(-z)) - y[i];
        for (let j = 0; j < d; j++) g[j] += c * r * x[i * d + j];
        g[d] += c * r;
      }
      for (let j = 0; j < d; j++) g[j] += fit.weights[j];
      const scale = Math.max(1, c * n);
      for (const v of g) expect(Math.abs(v) / scale).toBeLessThan(1e-9);
    }
  });

  it('gives the same fit whatever the column structure (dense fallback)', () => {
    const { x, y, n, d } = data(1500, 'same');
    const a = fitLogistic(x, y, n, d, { c: 1, maxIter: 100 });
    // Nudging one-hot cells off {0,1} by a hair forces every column dense.
    const x2 = Float32Array.from(x, (v) => (v === 1 ? 1 + 2 ** -20 : v));
    expect(buildDesign(x2, n, d).indicatorCols).toHaveLength(0);
    expect(buildDesign(x, n, d).indicatorCols).toHaveLength(3);
    const b = fitLogistic(x2, y, n, d, { c: 1, maxIter: 100 });
    a.weights.forEach((w, j) => expect(b.weights[j]).toBeCloseTo(w, 4));
  });

  it('solves SPD systems and refuses indefinite ones', () => {
    const a = new Float64Array([4, 2, 2, 3]);
    expect(Array.from(choleskySolve(a, new Float64Array([2, 1]), 2) ?? [])).toEqual([0.5, 0]);
    expect(
      choleskySolve(new Float64Array([1, 2, 2, 1]), new Float64Array([1, 1]), 2),
    ).toBeUndefined();
  });
});

describe('Rng', () => {
  it('is deterministic per key and roughly normal', () => {
    const a = new Rng('k');
    const b = new Rng('k');
    const xs = Array.from({ length: 20000 }, () => a.normal());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b.normal()));
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
    expect(new Rng('other').u32()).not.toBe(new Rng('k').u32());
  });
});

describe('CsvBytes', () => {
  const format = (write: (w: CsvBytes) => void) => {
    const chunks: Buffer[] = [];
    const sink = { write: (c: Uint8Array) => chunks.push(Buffer.from(c)) } as unknown as AtomicFile;
    const w = new CsvBytes(sink, 64);
    write(w);
    w.flush();
    return Buffer.concat(chunks).toString();
  };

  it('formats like toFixed for cents and for probabilities', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (cents, p) => {
          const x = cents / 100;
          expect(format((w) => w.fixed(x, 2))).toBe(x.toFixed(2));
          const got = format((w) => w.fixed(p, 6));
          expect(Math.abs(Number(got) - p)).toBeLessThanOrEqual(5e-7 + 1e-15);
          expect(got).toMatch(/^[01]\.\d{6}$/);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('writes integers, negatives through toFixed, and rows larger than its buffer', () => {
    expect(format((w) => [0, 7, 10, 123456789, -42].forEach((n) => (w.int(n), w.byte(59))))).toBe(
      '0;7;10;123456789;-42;',
    );
    expect(format((w) => w.fixed(-1.5, 2))).toBe('-1.50');
    const long = format((w) => {
      for (let i = 0; i < 100; i++) {
        w.reserve(8);
        w.int(1000000 + i);
        w.byte(10);
      }
    });
    expect(long.split('\n')).toHaveLength(101);
  });
});
