import * as fs from 'node:fs';
import * as path from 'node:path';
import { StepExit } from '../../../docker/steps/src/lib/errors';
import { toJson } from '../../../docker/steps/src/lib/json';
import { readMatrix } from '../../../docker/steps/src/lib/matrix';
import type { Model } from '../../../docker/steps/src/lib/model';
import { run as predict } from '../../../docker/steps/predict/main';
import { run as validate } from '../../../docker/steps/validate/main';
import {
  DS,
  expectStepError,
  listFiles,
  readJsonFile,
  runValidate,
  tmpDir,
  trainPipeline,
} from './helpers';

/**
 * Steps never exit 0 with wrong numbers (issue 12): each case below used to write NaN, null or
 * a silently wrong figure. Now each fails with one line naming the file and what is wrong,
 * and writes nothing.
 */
describe('numerically honest steps', () => {
  const p = trainPipeline(3000, 9);
  runValidate(p);
  const model = readJsonFile<Model>(p.model);
  /** A model folder with `m` and the real model's passed metrics beside it. */
  const modelFolder = (m: Model): string => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(m));
    fs.copyFileSync(p.metrics, path.join(dir, 'metrics.json'));
    return dir;
  };

  it('every number written is finite: toJson names the key instead of writing null', () => {
    expect(() => toJson({ objective: Number.NaN }, '/data/m/model.json')).toThrow(
      '/data/m/model.json: "objective" is NaN; every number written must be finite (inputs too large or degenerate?)',
    );
    expect(() => toJson({ nested: { scale: Infinity } }, 'x.json')).toThrow(
      'x.json: "scale" is Infinity; every number written must be finite',
    );
  });

  it('predict refuses a model whose extreme weights give no probability (was: rows of 0,NaN)', () => {
    const huge = model.weights.map((_, j) => (j % 2 === 0 ? 1e308 : -1e308));
    const dir = modelFolder({ ...model, weights: huge });
    const out = path.join(tmpDir(), 'predictions.csv');
    expectStepError(
      () =>
        predict([
          '--ds',
          DS,
          '--data',
          p.data,
          '--model',
          path.join(dir, 'model.json'),
          '--predictions',
          out,
        ]),
      /^.*data\.csv:\d+: the model gives no probability for this row \(its weights overflow\); retrain it$/,
      StepExit.input,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  it("a model's preprocessing must be sane: a scale of -1 or 0 is refused by validate and predict", () => {
    for (const scale of [-1, 0]) {
      const columns = model.preprocessing.columns.map((c) =>
        c.kind === 'numeric' ? { ...c, scale } : c,
      );
      const dir = modelFolder({ ...model, preprocessing: { ...model.preprocessing, columns } });
      const file = path.join(dir, 'model.json');
      expectStepError(
        () =>
          validate([
            '--ds',
            DS,
            '--in-dir',
            p.splits,
            '--model',
            file,
            '--metrics',
            path.join(dir, 'm2.json'),
          ]),
        /model\.json \(preprocessing\): not a valid transform: column "age" is malformed$/,
        StepExit.input,
      );
      expectStepError(
        () =>
          predict([
            '--ds',
            DS,
            '--data',
            p.data,
            '--model',
            file,
            '--predictions',
            path.join(dir, 'out.csv'),
          ]),
        /model\.json \(preprocessing\): not a valid transform: column "age" is malformed$/,
        StepExit.input,
      );
      expect(listFiles(dir)).toEqual(['metrics.json', 'model.json']);
    }
  });

  it('a target byte other than 0 or 1 in a matrix is refused (was: accepted as a class)', () => {
    const bad = path.join(tmpDir(), 'val.bin');
    const bytes = fs.readFileSync(path.join(p.splits, 'val.bin'));
    bytes[bytes.length - 5] = 7; // a row's target, near the end of the file
    fs.writeFileSync(bad, bytes);
    const rows = readMatrix(path.join(p.splits, 'val.bin')).rows;
    expectStepError(
      () => readMatrix(bad),
      new RegExp(
        `val\\.bin: row ${rows - 5} has target 7; a target is 0 or 1 \\(corrupt file\\?\\)$`,
      ),
      StepExit.input,
    );
  });
});
