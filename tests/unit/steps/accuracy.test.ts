import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DS, readJsonFile, runValidate, trainPipeline } from './helpers';

/**
 * Our train + validate against scikit-learn's LogisticRegression (lbfgs, same C) on the same
 * data and split: fixtures/sklearn-auc.json, made by fixtures/make-sklearn-auc.mjs.
 */
interface Fixture {
  ds: string;
  rows: number;
  valFraction: number;
  c: number;
  maxIter: number;
  cases: { seed: number; dataSha256: string; rocAuc: number }[];
}

const fixture = readJsonFile<Fixture>(path.join(__dirname, 'fixtures', 'sklearn-auc.json'));

describe('accuracy against scikit-learn', () => {
  it('uses the defaults the fixture was made with', () => {
    expect([fixture.ds, fixture.valFraction, fixture.c, fixture.maxIter]).toEqual([
      DS,
      0.2,
      1,
      100,
    ]);
    expect(fixture.cases).toHaveLength(20);
  });

  it.each(fixture.cases)(
    'seed $seed: ROC AUC within 0.002 of scikit-learn',
    ({ seed, dataSha256, rocAuc }) => {
      const p = trainPipeline(fixture.rows, seed);
      const sha = createHash('sha256').update(fs.readFileSync(p.data)).digest('hex');
      // Same bytes as sklearn saw; if generate changed on purpose, regenerate the fixture.
      expect(sha).toBe(dataSha256);
      runValidate(p);
      const ours = readJsonFile<{ rocAuc: number }>(p.metrics).rocAuc;
      expect(Math.abs(ours - rocAuc)).toBeLessThanOrEqual(0.002);
    },
  );
});
