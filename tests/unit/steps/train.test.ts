import * as fs from 'node:fs';
import * as path from 'node:path';
import { StepExit } from '../../../docker/steps/src/lib/errors';
import type { Model } from '../../../docker/steps/src/lib/model';
import { run } from '../../../docker/steps/train/main';
import { DS, expectStepError, readJsonFile, tmpDir, trainPipeline } from './helpers';

describe('train', () => {
  const p = trainPipeline(4000, 8);

  it('writes a versioned, self-contained model.json', () => {
    const m = readJsonFile<Model>(p.model);
    expect(m.format).toBe('airflow-ml/logistic-regression');
    expect(m.formatVersion).toBe(1);
    expect(m.ds).toBe(DS);
    expect(m.features).toHaveLength(13);
    expect(m.weights).toHaveLength(13);
    expect(Number.isFinite(m.intercept)).toBe(true);
    expect(m.preprocessing).toEqual(readJsonFile(p.transform));
    expect(m.hyperparameters).toEqual({ c: 1, maxIter: 100 });
    expect(m.training.converged).toBe(true);
    expect(m.training.iterations).toBeLessThan(15);
    expect(m.training.rows).toBe(3200);
    // At the optimum the gradient of the penalised objective vanishes.
    expect(m.training.gradientMax).toBeLessThan(1e-6);
    expect(m.training.rocAuc).toBeGreaterThan(0.75);
  });

  it('regularises more with a smaller C', () => {
    const out = path.join(tmpDir(), 'model.json');
    run([
      '--ds',
      DS,
      '--in-dir',
      p.splits,
      '--transform',
      p.transform,
      '--model',
      out,
      '--c',
      '0.001',
    ]);
    const norm = (m: Model) => Math.hypot(...m.weights);
    expect(norm(readJsonFile<Model>(out))).toBeLessThan(norm(readJsonFile<Model>(p.model)) / 2);
  });

  it('reports a capped, unconverged fit without failing', () => {
    const out = path.join(tmpDir(), 'model.json');
    const r = run([
      '--ds',
      DS,
      '--in-dir',
      p.splits,
      '--transform',
      p.transform,
      '--model',
      out,
      '--max-iter',
      '1',
    ]);
    expect(r.summary).toMatch(/NOT converged after --max-iter 1/);
    expect(readJsonFile<Model>(out).training.converged).toBe(false);
  });

  it('rejects a transform from another preprocess run, and writes nothing', () => {
    const dir = tmpDir();
    const other = { ...readJsonFile<Model['preprocessing']>(p.transform) };
    other.columns = other.columns.filter((c) => c.name !== 'age');
    other.features = other.features.filter((f) => f !== 'age');
    fs.writeFileSync(path.join(dir, 't.json'), JSON.stringify(other));
    const out = path.join(dir, 'm', 'model.json');
    expectStepError(
      () =>
        run([
          '--ds',
          DS,
          '--in-dir',
          p.splits,
          '--transform',
          path.join(dir, 't.json'),
          '--model',
          out,
        ]),
      /train\.bin: features \[age, .*\] do not match .*t\.json \[region=/,
      StepExit.input,
    );
    expect(fs.existsSync(path.join(dir, 'm'))).toBe(false);
  });

  it('rejects a missing, empty or invalid transform.json', () => {
    const dir = tmpDir();
    const go = (file: string) => () =>
      run([
        '--ds',
        DS,
        '--in-dir',
        p.splits,
        '--transform',
        file,
        '--model',
        path.join(dir, 'model.json'),
      ]);
    expectStepError(
      go(path.join(dir, 'nope.json')),
      /nope\.json: cannot read: no such file or directory/,
    );
    fs.writeFileSync(path.join(dir, 'empty.json'), '');
    expectStepError(go(path.join(dir, 'empty.json')), /empty\.json: file is empty; expected JSON/);
    fs.writeFileSync(path.join(dir, 'bad.json'), '{\n  "columns": [\n    oops\n');
    expectStepError(go(path.join(dir, 'bad.json')), /bad\.json: invalid JSON: Unexpected token/);
    fs.writeFileSync(path.join(dir, 'cut.json'), '{"columns": [');
    expectStepError(go(path.join(dir, 'cut.json')), /cut\.json: invalid JSON/);
    fs.writeFileSync(
      path.join(dir, 'other.json'),
      '{"columns": [], "features": [], "formatVersion": 9}',
    );
    expectStepError(
      go(path.join(dir, 'other.json')),
      /other\.json: not a valid transform: format version 9 is not supported/,
    );
    expect(fs.existsSync(path.join(dir, 'model.json'))).toBe(false);
  });
});
