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

  it('fails an unmet threshold clearly, with the figures, and writes no metrics.json', () => {
    const e = expectStepError(
      () => runValidate(p, ['--min-roc-auc', '0.99']),
      /^ROC AUC 0\.\d{4} is below --min-roc-auc 0\.99; model rejected, .*metrics\.json not written \(ROC AUC .*, accuracy .*, F1 .*, log loss .* on 800 rows\)$/,
      StepExit.check,
    );
    expect(e.exitCode).toBe(4);
    expect(fs.existsSync(p.metrics)).toBe(false);
  });
});
