import * as fs from 'node:fs';
import { StepExit } from '../../../docker/steps/src/lib/errors';
import { expectStepError, readJsonFile, runValidate, trainPipeline } from './helpers';

interface MetricsJson {
  rocAuc: number;
  accuracy: number;
  f1: number;
  logLoss: number;
  rows: number;
  trainRows: number;
  passed: boolean;
  minRocAuc: number | null;
}

describe('validate', () => {
  const p = trainPipeline(4000, 21);

  it('writes metrics.json with ROC AUC, accuracy, F1, log loss and row counts', () => {
    runValidate(p);
    const m = readJsonFile<MetricsJson>(p.metrics);
    expect(m.rows).toBe(800);
    expect(m.trainRows).toBe(3200);
    expect(m.rocAuc).toBeGreaterThan(0.75);
    expect(m.accuracy).toBeGreaterThan(0.6);
    expect(m.f1).toBeGreaterThan(0.5);
    expect(m.logLoss).toBeGreaterThan(0.2);
    expect(m.logLoss).toBeLessThan(0.69);
    expect(m.passed).toBe(true);
    expect(m.minRocAuc).toBeNull();
    fs.rmSync(p.metrics);
  });

  it('passes a threshold the model meets', () => {
    runValidate(p, ['--min-roc-auc', '0.7']);
    expect(readJsonFile<MetricsJson>(p.metrics).minRocAuc).toBe(0.7);
    fs.rmSync(p.metrics);
  });

  it('fails an unmet threshold with exit 4 and the figure, keeping metrics.json with the verdict', () => {
    const e = expectStepError(
      () => runValidate(p, ['--min-roc-auc', '0.99']),
      /^model rejected: ROC AUC (0\.\d{4}) is below the threshold 0\.99 by (0\.\d{4}) \(ROC AUC 0\.\d{4}, accuracy .*, F1 .*, log loss .* on 800 rows\); kept, not promoted$/,
      StepExit.check,
    );
    expect(e.exitCode).toBe(4);
    const m = readJsonFile<MetricsJson & { reason: string }>(p.metrics);
    expect([m.passed, m.minRocAuc]).toEqual([false, 0.99]);
    expect(m.reason).toBe(
      `ROC AUC ${m.rocAuc.toFixed(4)} is below the threshold 0.99 by ${(0.99 - m.rocAuc).toFixed(4)}`,
    );
    fs.rmSync(p.metrics);
  });

  it('records the confusion matrix and a ROC curve from (0,0) to (1,1)', () => {
    runValidate(p);
    const m = readJsonFile<
      MetricsJson & {
        positives: number;
        confusion: { tp: number; fp: number; tn: number; fn: number };
        roc: [number, number][];
      }
    >(p.metrics);
    const c = m.confusion;
    expect(c.tp + c.fp + c.tn + c.fn).toBe(800);
    expect(c.tp + c.fn).toBe(m.positives);
    expect((c.tp + c.tn) / 800).toBeCloseTo(m.accuracy, 12);
    expect(m.roc[0]).toEqual([0, 0]);
    expect(m.roc[m.roc.length - 1]).toEqual([1, 1]);
    expect(m.roc.length).toBeLessThanOrEqual(102);
    // Monotone in both coordinates, and the trapezoid area is the ROC AUC within the sampling.
    let area = 0;
    for (let i = 1; i < m.roc.length; i++) {
      const [x0, y0] = m.roc[i - 1];
      const [x1, y1] = m.roc[i];
      expect([x1 >= x0, y1 >= y0]).toEqual([true, true]);
      area += ((x1 - x0) * (y0 + y1)) / 2;
    }
    expect(Math.abs(area - m.rocAuc)).toBeLessThan(0.01);
    fs.rmSync(p.metrics);
  });
});
