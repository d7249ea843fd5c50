import * as fs from 'node:fs';
import * as path from 'node:path';
import { StepExit } from '../../../docker/steps/src/lib/errors';
import type { Model } from '../../../docker/steps/src/lib/model';
import { run } from '../../../docker/steps/predict/main';
import {
  DS,
  expectStepError,
  listFiles,
  readJsonFile,
  runValidate,
  tmpDir,
  trainPipeline,
} from './helpers';

describe('predict', () => {
  const p = trainPipeline(3000, 4);
  runValidate(p);
  /** A model file of our own making, next to the real model's passed metrics. */
  const fakeModel = (content: string): string => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'model.json'), content);
    fs.copyFileSync(p.metrics, path.join(dir, 'metrics.json'));
    return dir;
  };
  const out = () => path.join(tmpDir(), 'predictions', DS, 'predictions.csv');

  it('writes one prediction per input row, in order, with a header', () => {
    const file = out();
    const r = run(['--ds', DS, '--data', p.data, '--model', p.model, '--predictions', file]);
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('class,probability');
    expect(lines).toHaveLength(3001);
    for (const l of lines.slice(1)) {
      expect(l).toMatch(/^[01],[01]\.\d{6}$/);
      const [cls, prob] = l.split(',').map(Number);
      expect(cls).toBe(prob > 0.5 ? 1 : prob < 0.5 ? 0 : cls);
    }
    expect(r.summary).toMatch(/^scored 3000 rows \(\d+ predicted positive\); wrote /);
    expect(listFiles(path.dirname(file))).toEqual(['prediction-meta.json', 'predictions.csv']);
    expect(readJsonFile(path.join(path.dirname(file), 'prediction-meta.json'))).toEqual({
      ds: DS,
      model: fs.realpathSync(p.model),
      modelDs: DS,
      rows: 3000,
    });
  });

  it('matches the model applied by hand', () => {
    const file = out();
    const row = '33,east,premium,80000,40,100,2';
    const data = path.join(tmpDir(), 'one.csv');
    fs.writeFileSync(
      data,
      `age,region,plan,income,tenure_months,monthly_spend,support_calls\n${row}\n`,
    );
    run(['--ds', DS, '--data', data, '--model', p.model, '--predictions', file]);
    const m = readJsonFile<Model>(p.model);
    const raw: Record<string, string> = {
      age: '33',
      region: 'east',
      plan: 'premium',
      income: '80000',
      tenure_months: '40',
      monthly_spend: '100',
      support_calls: '2',
    };
    const x = m.preprocessing.columns.flatMap((c) =>
      c.kind === 'numeric'
        ? [(Number(raw[c.name]) - c.mean) / c.scale]
        : c.categories.map((k) => (k === raw[c.name] ? 1 : 0)),
    );
    const z = x.reduce((s, v, j) => s + v * m.weights[j], m.intercept);
    const expected = 1 / (1 + Math.exp(-z));
    const got = Number(fs.readFileSync(file, 'utf8').split('\n')[1].split(',')[1]);
    expect(got).toBeCloseTo(expected, 5);
  });

  it('encodes a category unseen in training as all zeros and says so', () => {
    const data = path.join(tmpDir(), 'new.csv');
    fs.writeFileSync(
      data,
      'age,region,plan,income,tenure_months,monthly_spend,support_calls\n33,mars,basic,1,1,1,1\n',
    );
    const r = run(['--ds', DS, '--data', data, '--model', p.model, '--predictions', out()]);
    expect(r.summary).toMatch(/1 rows with a region unseen in training/);
  });

  it('rejects a model of another format version, and writes nothing', () => {
    const model = { ...readJsonFile<Model>(p.model), formatVersion: 2 };
    const dir = fakeModel(JSON.stringify(model));
    const file = path.join(dir, 'out', 'predictions.csv');
    expectStepError(
      () =>
        run([
          '--ds',
          DS,
          '--data',
          p.data,
          '--model',
          path.join(dir, 'model.json'),
          '--predictions',
          file,
        ]),
      /model\.json: model format version 2 is not supported \(this step reads version 1\); retrain the model/,
      StepExit.input,
    );
    expect(listFiles(dir)).toEqual(['metrics.json', 'model.json']);
  });

  it('rejects a file that is not a model, e.g. a pickle', () => {
    const dir = fakeModel('{"weights": [1]}');
    expectStepError(
      () =>
        run([
          '--ds',
          DS,
          '--data',
          p.data,
          '--model',
          path.join(dir, 'model.json'),
          '--predictions',
          out(),
        ]),
      /not an airflow-ml model \(expected "format": "airflow-ml\/logistic-regression" or "airflow-ml\/gradient-boosting"\)$/,
    );
  });

  it('validates data.csv against the model and writes nothing on a bad cell', () => {
    const dir = tmpDir();
    const data = path.join(dir, 'data.csv');
    fs.writeFileSync(
      data,
      'age,region,plan,income,tenure_months,monthly_spend,support_calls\n33,east,basic,1,1,1,1\n34,east,basic,1,1,NaN,1\n',
    );
    const file = path.join(dir, 'out', 'predictions.csv');
    expectStepError(
      () => run(['--ds', DS, '--data', data, '--model', p.model, '--predictions', file]),
      /data\.csv:3:19: column "monthly_spend": "NaN" is not a number/,
    );
    expect(listFiles(dir)).toEqual(['data.csv']);
  });

  it('refuses a model without passed metrics: none beside it, or a failed verdict', () => {
    const bare = tmpDir();
    fs.copyFileSync(p.model, path.join(bare, 'model.json'));
    const predict = (dir: string) => () =>
      run([
        '--ds',
        DS,
        '--data',
        p.data,
        '--model',
        path.join(dir, 'model.json'),
        '--predictions',
        out(),
      ]);
    expectStepError(
      predict(bare),
      /model\.json: no metrics\.json beside it; only a validated model may predict/,
      StepExit.input,
    );
    const failed = fakeModel(fs.readFileSync(p.model, 'utf8'));
    const metrics = {
      ...readJsonFile<object>(p.metrics),
      passed: false,
      reason: 'ROC AUC 0.6 is below the threshold 0.7 by 0.1',
    };
    fs.writeFileSync(path.join(failed, 'metrics.json'), JSON.stringify(metrics));
    expectStepError(
      predict(failed),
      /model\.json: failed validation \(ROC AUC 0\.6 is below the threshold 0\.7 by 0\.1\); it may not predict$/,
      StepExit.input,
    );
  });
});
