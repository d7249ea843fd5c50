import { inputError } from './errors';
import type { Metrics } from './metrics';
import { checkTransform, type Transform } from './transform';

/**
 * model.json of format "airflow-ml/gradient-boosting", written by the Python step gbm-train
 * (docker/steps/gbm-train): the trees of a scikit-learn GradientBoostingClassifier as plain
 * arrays, never a pickle. Scored here so validate, promote and predict treat it like the
 * logistic model:
 *   raw(x) = init + learningRate * sum over trees of the value of the leaf x reaches,
 * where a node sends x left when x[feature] <= threshold (x is float32, as scikit-learn
 * compares), and P(y = 1) = 1 / (1 + exp(-raw)).
 */
export const GBM_FORMAT = 'airflow-ml/gradient-boosting';
export const GBM_VERSION = 1;

export interface Tree {
  left: number[];
  right: number[];
  feature: number[];
  threshold: number[];
  value: number[];
}

export interface GbmModel {
  format: typeof GBM_FORMAT;
  formatVersion: number;
  ds: string;
  features: string[];
  preprocessing: Transform;
  trees: { init: number; learningRate: number; trees: Tree[] };
  hyperparameters: Record<string, number>;
  training: Metrics;
}

/** Checks a parsed model.json of this format: every index in range, every number finite. */
export function checkGbm(file: string, m: Partial<GbmModel>): GbmModel {
  if (m.formatVersion !== GBM_VERSION) {
    throw inputError(
      `${file}: model format version ${JSON.stringify(m.formatVersion)} is not supported (this step reads ${GBM_FORMAT} version ${GBM_VERSION}); retrain the model with a matching gbm-train image`,
    );
  }
  const t = checkTransform(`${file} (preprocessing)`, m.preprocessing);
  const corrupt = (why: string) => inputError(`${file}: corrupt model: ${why}`);
  if (!Array.isArray(m.features) || m.features.join('\u0000') !== t.features.join('\u0000')) {
    throw corrupt('features and preprocessing disagree');
  }
  const g = m.trees;
  if (
    !g ||
    !Number.isFinite(g.init) ||
    !Number.isFinite(g.learningRate) ||
    !Array.isArray(g.trees)
  ) {
    throw corrupt('"trees" needs init, learningRate and trees');
  }
  const d = m.features.length;
  g.trees.forEach((tree, k) => {
    const n = tree?.value?.length;
    const arrays = [tree?.left, tree?.right, tree?.feature, tree?.threshold];
    if (!n || !arrays.every((a) => Array.isArray(a) && a.length === n)) {
      throw corrupt(`tree ${k}: left, right, feature, threshold and value differ in length`);
    }
    for (let i = 0; i < n; i++) {
      const leaf = tree.left[i] < 0;
      const ok = leaf
        ? Number.isFinite(tree.value[i])
        : tree.left[i] > i &&
          tree.left[i] < n &&
          tree.right[i] > i &&
          tree.right[i] < n &&
          Number.isInteger(tree.feature[i]) &&
          tree.feature[i] >= 0 &&
          tree.feature[i] < d &&
          Number.isFinite(tree.threshold[i]);
      // Children after their parent: a walk always ends, whatever the file says.
      if (!ok) throw corrupt(`tree ${k}, node ${i}: bad child, feature or value`);
    }
  });
  return m as GbmModel;
}

/** P(y = 1) for every row of a row-major float32 matrix (n rows of d features). */
export function gbmProba(model: GbmModel, x: Float32Array, n: number, d: number): Float64Array {
  const { init, learningRate, trees } = model.trees;
  const raw = new Float64Array(n).fill(init);
  for (const t of trees) {
    for (let i = 0, r = 0; i < n; i++, r += d) {
      let node = 0;
      while (t.left[node] >= 0) {
        node = x[r + t.feature[node]] <= t.threshold[node] ? t.left[node] : t.right[node];
      }
      raw[i] += learningRate * t.value[node];
    }
  }
  for (let i = 0; i < n; i++) raw[i] = 1 / (1 + Math.exp(-raw[i]));
  return raw;
}
