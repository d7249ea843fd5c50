import { sortScores } from '../../../docker/steps/src/lib/sort-scores';
import { Rng } from '../../../docker/steps/src/lib/rng';

/** The ranking's bucket sort gives exactly the native typed-array order, whatever the input. */
describe('sortScores', () => {
  const rng = new Rng('sort-scores');
  const shapes: [string, (i: number) => number][] = [
    ['probabilities', () => 1 / (1 + Math.exp(-(6 * rng.uniform() - 3)))],
    ['many ties', () => rng.below(50) / 50],
    ['crowded (all within 1e-9 but the ends)', (i) => (i < 2 ? i : 0.5 + 1e-9 * rng.uniform())],
    [
      'extremes near 0 and 1',
      () => (rng.uniform() < 0.5 ? 1e-300 * rng.uniform() : 1 - 1e-12 * rng.uniform()),
    ],
    ['negative and positive', () => 1e6 * (rng.uniform() - 0.5)],
    ['a NaN', (i) => (i === 7 ? NaN : rng.uniform())],
    ['infinities', (i) => (i === 3 ? Infinity : i === 4 ? -Infinity : rng.uniform())],
    ['one value', () => 0.25],
  ];

  // 600,000 values take the two-level path (first 4096 buckets, then each in cache).
  it.each(shapes.map(([name, value], i) => [name, value, i < 2 ? [600_000] : []] as const))(
    '%s: the native order at every size',
    (_, value, large) => {
      const sizes = [0, 1, 100, 511, 512, 5000, 100_000, ...large];
      const wrong: string[] = [];
      for (const n of sizes) {
        const a = Float64Array.from({ length: n }, (_v, i) => value(i));
        const want = a.slice().sort();
        sortScores(a, 512); // the bucket sort from 512 values (the steps: from 2^20)
        const at = want.findIndex((v, i) => !Object.is(v, a[i]));
        if (at >= 0) wrong.push(`n=${n}: index ${at} has ${a[at]}, native ${want[at]}`);
      }
      expect(wrong).toEqual([]);
    },
  );
});
