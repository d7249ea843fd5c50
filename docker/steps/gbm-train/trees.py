"""Gradient-boosted trees as plain arrays, scored with numpy (no pickle, no scikit-learn)."""

import math

import numpy as np


def export_trees(gbm):
    """A fitted binary GradientBoostingClassifier as JSON-ready arrays.

    raw(x) = init + learningRate * sum over trees of the value of the leaf x reaches, where
    a node sends x left when x[feature] <= threshold (float32 x, as scikit-learn compares);
    P(y = 1) = 1 / (1 + exp(-raw)).
    """
    prior = float(gbm.init_.class_prior_[1])
    trees = []
    for (est,) in gbm.estimators_:
        t = est.tree_
        trees.append(
            {
                "left": t.children_left.tolist(),
                "right": t.children_right.tolist(),
                "feature": t.feature.tolist(),
                "threshold": t.threshold.tolist(),
                "value": t.value[:, 0, 0].tolist(),
            }
        )
    return {
        "init": math.log(prior / (1 - prior)),
        "learningRate": float(gbm.learning_rate),
        "trees": trees,
    }


def score_trees(model, x):
    """P(y = 1) per row of x (rows x features) from export_trees' arrays."""
    x = np.asarray(x, dtype=np.float32)
    raw = np.full(len(x), model["init"], dtype=np.float64)
    rows = np.arange(len(x))
    for t in model["trees"]:
        left, right = np.asarray(t["left"]), np.asarray(t["right"])
        feature, threshold = np.asarray(t["feature"]), np.asarray(t["threshold"])
        value = np.asarray(t["value"])
        node = np.zeros(len(x), dtype=np.int64)
        while True:
            inner = left[node] >= 0
            if not inner.any():
                break
            go_left = x[rows, np.where(inner, feature[node], 0)] <= threshold[node]
            node = np.where(inner, np.where(go_left, left[node], right[node]), node)
        raw += model["learningRate"] * value[node]
    return 1.0 / (1.0 + np.exp(-raw))


def metrics(prob, y):
    """The training figures in the TypeScript steps' shape (src/lib/metrics.ts)."""
    y = np.asarray(y, dtype=np.int64)
    n = len(y)
    pred = (prob > 0.5).astype(np.int64)
    tp = int(((pred == 1) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    p = np.clip(prob, 1e-15, 1 - 1e-15)
    return {
        "rows": n,
        "positives": int(y.sum()),
        "rocAuc": roc_auc(prob, y),
        "accuracy": float((pred == y).mean()),
        "f1": 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn),
        "logLoss": float(-np.mean(np.where(y == 1, np.log(p), np.log(1 - p)))),
    }


def roc_auc(score, y):
    """P(a positive outscores a negative), ties counted half (Mann-Whitney with mid-ranks)."""
    order = np.argsort(score, kind="mergesort")
    s = score[order]
    ranks = np.empty(len(s), dtype=np.float64)
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[i : j + 1] = (i + j) / 2 + 1
        i = j + 1
    r = np.empty_like(ranks)
    r[order] = ranks
    npos = int(y.sum())
    nneg = len(y) - npos
    return float((r[y == 1].sum() - npos * (npos + 1) / 2) / (npos * nneg))
