import type { CsvColumns } from './csv-read';
import { inputError } from './errors';
import { checkGbm, GBM_FORMAT, gbmProba, type GbmModel } from './gbm';
import { readJson } from './json';
import { scorePass } from './logreg';
import type { MatrixReader } from './matrix';
import type { Metrics } from './metrics';
import { checkLogistic, MODEL_FORMAT, type Model } from './model';
import type { ScorePass } from './ranking';
import { scoreRows, type Scored } from './score';
import { applyTransform, type Transform } from './transform';

/**
 * Every model kind a registry may hold, behind one face: validate, promote and predict
 * score a logistic model (train) and a gradient-boosted one (gbm-train) alike, so the
 * promotion gate and `models list` never ask which kind a model is.
 */
export type AnyModel =
  { kind: 'logistic-regression'; model: Model } | { kind: 'gradient-boosting'; model: GbmModel };

export const MODEL_FORMATS = [MODEL_FORMAT, GBM_FORMAT];

export function readAnyModel(file: string): AnyModel {
  const m = readJson(file) as { format?: unknown } | null;
  if (typeof m === 'object' && m !== null && m.format === GBM_FORMAT) {
    return { kind: 'gradient-boosting', model: checkGbm(file, m as Partial<GbmModel>) };
  }
  if (typeof m === 'object' && m !== null && m.format === MODEL_FORMAT) {
    return { kind: 'logistic-regression', model: checkLogistic(file, m as Partial<Model>) };
  }
  throw inputError(
    `${file}: not an airflow-ml model (expected "format": ${MODEL_FORMATS.map((f) => `"${f}"`).join(' or ')})`,
  );
}

export const modelDs = (a: AnyModel): string => a.model.ds;
export const modelFeatures = (a: AnyModel): string[] => a.model.features;
export const modelTransform = (a: AnyModel): Transform => a.model.preprocessing;
export const trainingMetrics = (a: AnyModel): Metrics => a.model.training;

/** P(y = 1) per row of a matrix file, a chunk at a time. */
export function matrixScorePass(a: AnyModel, m: MatrixReader): ScorePass {
  if (a.kind === 'logistic-regression') return scorePass(m, a.model.weights, a.model.intercept);
  const model = a.model;
  return (visit) => m.forEach((c) => visit(gbmProba(model, c.x, c.n, m.cols), c.y, c.n));
}

/** P(y = 1) for a batch of raw CSV rows, through the model's own preprocessing. */
export function scoreRawRows(a: AnyModel, data: CsvColumns): Scored {
  const t = a.model.preprocessing;
  if (a.kind === 'logistic-regression') {
    return scoreRows(t, a.model.weights, a.model.intercept, data);
  }
  const applied = applyTransform(t, data);
  return {
    prob: gbmProba(a.model, applied.x, data.rows, t.features.length),
    unseen: applied.unseen,
  };
}
