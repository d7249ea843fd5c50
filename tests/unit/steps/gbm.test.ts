import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readAnyModel, scoreRawRows } from '../../../docker/steps/src/lib/any-model';
import { StepError } from '../../../docker/steps/src/lib/errors';
import { gbmProba, type GbmModel } from '../../../docker/steps/src/lib/gbm';

/** A gradient-boosted model.json as gbm-train writes it, small enough to score by hand. */
const transform = {
  formatVersion: 1,
  ds: '2026-01-01',
  fittedRows: 10,
  columns: [
    { name: 'age', kind: 'numeric', mean: 40, scale: 10 },
    { name: 'plan', kind: 'categorical', categories: ['basic', 'premium'] },
  ],
  features: ['age', 'plan=basic', 'plan=premium'],
};
const model = {
  format: 'airflow-ml/gradient-boosting',
  formatVersion: 1,
  ds: '2026-01-01',
  features: transform.features,
  preprocessing: transform,
  // Tree 0 splits on age <= 0.5 (standardised); tree 1 on plan=premium <= 0.5.
  trees: {
    init: 0.25,
    learningRate: 0.5,
    trees: [
      {
        left: [1, -1, -1],
        right: [2, -1, -1],
        feature: [0, -2, -2],
        threshold: [0.5, -2, -2],
        value: [0, -1, 1],
      },
      {
        left: [1, -1, -1],
        right: [2, -1, -1],
        feature: [2, -2, -2],
        threshold: [0.5, -2, -2],
        value: [0, 0.2, 2],
      },
    ],
  },
  hyperparameters: { nEstimators: 2 },
  training: { rows: 10, positives: 5, rocAuc: 0.9, accuracy: 0.8, f1: 0.8, logLoss: 0.4 },
};
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function write(value: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-gbm-'));
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(value));
  return path.join(dir, 'model.json');
}

describe('gradient-boosted models', () => {
  it('score init + learningRate * the leaves reached, left when x <= threshold', () => {
    const x = Float32Array.from([0.5, 1, 0, /* row 2 */ 0.6, 0, 1]);
    expect(Array.from(gbmProba(model as unknown as GbmModel, x, 2, 3))).toEqual([
      sigmoid(0.25 + 0.5 * (-1 + 0.2)),
      sigmoid(0.25 + 0.5 * (1 + 2)),
    ]);
  });

  it('score raw CSV rows through their own preprocessing, unseen levels as all zeros', () => {
    const a = readAnyModel(write(model));
    expect(a.kind).toBe('gradient-boosting');
    const scored = scoreRawRows(a, {
      rows: 2,
      numeric: new Map([['age', Float64Array.from([45, 46])]]),
      categorical: new Map([
        ['plan', { codes: Uint32Array.from([0, 1]), levels: ['premium', 'gold'] }],
      ]),
    } as never);
    expect(Array.from(scored.prob)).toEqual([
      sigmoid(0.25 + 0.5 * (-1 + 2)), // age 45 -> 0.5: left; premium: right
      sigmoid(0.25 + 0.5 * (1 + 0.2)), // age 46 -> 0.6: right; gold unseen: left
    ]);
    expect([...scored.unseen]).toEqual([['plan', 1]]);
  });

  it('refuse a tree whose child does not come after its parent, naming it', () => {
    const bad = structuredClone(model);
    bad.trees.trees[1].left[0] = 0;
    const file = write(bad);
    expect(() => readAnyModel(file)).toThrow(
      new StepError(`${file}: corrupt model: tree 1, node 0: bad child, feature or value`, 3),
    );
  });

  it('and any other format, naming both it reads', () => {
    const file = write({ format: 'pickle' });
    expect(() => readAnyModel(file)).toThrow(
      `${file}: not an airflow-ml model (expected "format": "airflow-ml/logistic-regression" or "airflow-ml/gradient-boosting")`,
    );
  });
});
