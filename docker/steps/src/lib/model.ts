import { inputError } from './errors';
import { readJson } from './json';
import { checkTransform, type Transform } from './transform';
import type { Metrics } from './metrics';

/**
 * model.json: a self-contained, versioned, human-readable model. Never a pickle: loading it
 * runs no code, and any tool can read it. Bump MODEL_VERSION on any incompatible change;
 * readers reject versions they do not know rather than guess.
 */
export const MODEL_FORMAT = 'airflow-ml/logistic-regression';
export const MODEL_VERSION = 1;

export interface Model {
  format: string;
  formatVersion: number;
  /** The logical date of the training run. */
  ds: string;
  features: string[];
  preprocessing: Transform;
  weights: number[];
  intercept: number;
  hyperparameters: { c: number; maxIter: number };
  training: Metrics & {
    iterations: number;
    converged: boolean;
    objective: number;
    gradientMax: number;
  };
}

export function readModel(file: string): Model {
  const m = readJson(file) as Partial<Model> | null;
  if (typeof m !== 'object' || m === null || m.format !== MODEL_FORMAT) {
    throw inputError(`${file}: not an airflow-ml model (expected "format": "${MODEL_FORMAT}")`);
  }
  return checkLogistic(file, m);
}

/** Checks a parsed model.json of MODEL_FORMAT (any-model.ts reads every kind). */
export function checkLogistic(file: string, m: Partial<Model>): Model {
  if (m.formatVersion !== MODEL_VERSION) {
    throw inputError(
      `${file}: model format version ${JSON.stringify(m.formatVersion)} is not supported (this step reads version ${MODEL_VERSION}); retrain the model with a matching train image`,
    );
  }
  const t = checkTransform(`${file} (preprocessing)`, m.preprocessing);
  const features = m.features;
  const weights = m.weights;
  if (
    !Array.isArray(features) ||
    features.join('\u0000') !== t.features.join('\u0000') ||
    !Array.isArray(weights) ||
    weights.length !== features.length ||
    !weights.every(Number.isFinite) ||
    !Number.isFinite(m.intercept)
  ) {
    throw inputError(`${file}: corrupt model: features, weights and preprocessing disagree`);
  }
  return m as Model;
}

/** Both sides of a step must agree on feature order, or the weights mean nothing. */
export function checkSameFeatures(
  what: string,
  got: readonly string[],
  expected: readonly string[],
  source: string,
): void {
  if (got.join('\u0000') !== expected.join('\u0000')) {
    throw inputError(
      `${what}: features [${got.join(', ')}] do not match ${source} [${expected.join(', ')}]; were they made by the same preprocess run?`,
    );
  }
}
