import * as fs from 'node:fs';
import * as path from 'node:path';
import { StepExit } from '../../../docker/steps/src/lib/errors';
import type { Model } from '../../../docker/steps/src/lib/model';
import {
  readHistory,
  readProduction,
  switchProduction,
} from '../../../docker/steps/src/lib/registry';
import { run as promote } from '../../../docker/steps/promote/main';
import { run as train } from '../../../docker/steps/train/main';
import { run as validate } from '../../../docker/steps/validate/main';
import { DS, expectStepError, readJsonFile, tmpDir, trainPipeline } from './helpers';

/**
 * promote against a real registry folder: the first model goes to production, a better or
 * equal one replaces it, a worse one (beyond the tolerance) is kept but not promoted, and
 * every switch is one history line. The alias is a relative symlink, swapped atomically.
 */
describe('promote', () => {
  const p = trainPipeline(4000, 11);
  const models = path.join(p.root, 'registry');

  /** A model version folder holding `model` and the metrics validate writes for it. */
  function version(name: string, model: Model, minRocAuc?: number): string {
    const dir = path.join(models, DS, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(model));
    const argv = ['--ds', DS, '--in-dir', p.splits, '--model', path.join(dir, 'model.json')];
    const metrics = ['--metrics', path.join(dir, 'metrics.json')];
    const gate = minRocAuc === undefined ? [] : ['--min-roc-auc', `${minRocAuc}`];
    try {
      validate([...argv, ...metrics, ...gate]);
    } catch {
      // a rejected model: its metrics.json says so
    }
    return dir;
  }
  const promoteArgs = (dir: string, tolerance = '0.005') => [
    '--ds',
    DS,
    '--model',
    path.join(dir, 'model.json'),
    '--metrics',
    path.join(dir, 'metrics.json'),
    '--in-dir',
    p.splits,
    '--models',
    models,
    '--tolerance',
    tolerance,
  ];
  const good = readJsonFile<Model>(p.model);
  // Every weight negated: the ranking flips, so its ROC AUC is 1 minus the good model's.
  const bad: Model = { ...good, weights: good.weights.map((w) => -w), intercept: -good.intercept };

  it('promotes the first passed model: a relative alias and one history line', () => {
    const first = version('run_1', good);
    const r = promote(promoteArgs(first));
    expect(r.summary).toMatch(
      /^promoted 2024-03-01\/run_1 to production: ROC AUC 0\.\d{4} passed validation; no model was in production$/,
    );
    expect(fs.readlinkSync(path.join(models, 'production'))).toBe(`${DS}/run_1`);
    expect(readProduction(models)).toEqual({ ds: DS, version: 'run_1' });
    expect(readHistory(models).map((h) => [h.from, h.to, h.by])).toEqual([
      [null, `${DS}/run_1`, 'promote step'],
    ]);
    expect(fs.readdirSync(models).sort()).toEqual([DS, 'history.jsonl', 'production']);
  });

  it('keeps a worse model out, with both figures and the gap in the error', () => {
    const worse = version('run_2', bad);
    const e = expectStepError(
      () => promote(promoteArgs(worse)),
      /^2024-03-01\/run_2 not promoted: ROC AUC (0\.\d{4}) is worse than production 2024-03-01\/run_1 \((0\.\d{4}) on the same validation rows\) by (0\.\d{4}), more than the tolerance 0\.005$/,
      StepExit.check,
    );
    const [, cand, prod, gap] = /ROC AUC (\S+) .*\((\S+) on .* by (\S+),/.exec(e.message) ?? [];
    expect(Number(gap)).toBeCloseTo(Number(prod) - Number(cand), 3);
    expect(readProduction(models)).toEqual({ ds: DS, version: 'run_1' });
    expect(readHistory(models)).toHaveLength(1);
    // Kept and listed: the folder and its verdict stay.
    expect(readJsonFile<{ passed: boolean }>(path.join(worse, 'metrics.json')).passed).toBe(true);
  });

  it('refuses a model that failed validation', () => {
    const rejected = version('run_3', good, 0.999);
    expectStepError(
      () => promote(promoteArgs(rejected)),
      /^2024-03-01\/run_3 did not pass validation \(ROC AUC 0\.\d{4} is below the threshold 0\.999 by 0\.\d{4}\); not promoted$/,
      StepExit.check,
    );
  });

  it('promotes an equal model (within the tolerance) and records from -> to', () => {
    const same = version('run_4', good);
    promote(promoteArgs(same));
    expect(readProduction(models)).toEqual({ ds: DS, version: 'run_4' });
    expect(readHistory(models).map((h) => [h.from, h.to])).toEqual([
      [null, `${DS}/run_1`],
      [`${DS}/run_1`, `${DS}/run_4`],
    ]);
    expect(promote(promoteArgs(same)).summary).toBe(`${DS}/run_4 is already the production model`);
    expect(readHistory(models)).toHaveLength(2);
  });

  it('a model folder is write-once: train refuses to replace a validated model', () => {
    const dir = path.join(models, DS, 'run_4');
    expectStepError(
      () =>
        train([
          '--ds',
          DS,
          '--in-dir',
          p.splits,
          '--transform',
          p.transform,
          '--model',
          path.join(dir, 'model.json'),
        ]),
      /run_4 already holds a validated model \(metrics\.json\); models are write-once: start a new run to train a new version$/,
      StepExit.input,
    );
  });
});

describe('a switch killed between symlink and rename', () => {
  it('leaves a temp that the next switch sweeps once it is old; a young one is left alone', () => {
    const root = tmpDir();
    const dir = path.join(root, DS, 'v1');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'model.json'), '{}');
    const old = path.join(root, '.production.tmp-aaaaaaaaaaaa');
    const young = path.join(root, '.production.tmp-bbbbbbbbbbbb');
    fs.symlinkSync(`${DS}/v1`, old);
    fs.symlinkSync(`${DS}/v1`, young);
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    fs.lutimesSync(old, twoMinutesAgo, twoMinutesAgo);
    switchProduction(root, { ds: DS, version: 'v1' }, 'test', 'test');
    expect(fs.readdirSync(root).sort()).toEqual([
      '.production.tmp-bbbbbbbbbbbb',
      DS,
      'history.jsonl',
      'production',
    ]);
  });
});
