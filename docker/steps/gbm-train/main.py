"""gbm-train: a gradient-boosted tree classifier (scikit-learn) on split's train.bin.

Writes model.json in the format "airflow-ml/gradient-boosting": every tree as plain arrays
(children, feature, threshold, leaf value), the initial log-odds and the learning rate, the
preprocessing it was trained after (a copy of transform.json) and its training metrics.
No pickle: loading the model runs no code, and the TypeScript steps (validate, promote,
predict) score it with src/lib/gbm.ts. Before writing, the exported arrays are scored here
with numpy and must give scikit-learn's own probabilities, so the export cannot drift.
"""

import json

import numpy as np
from airflow_ml_step import (
    input_error,
    load_contract,
    open_input,
    parse_args,
    run_main,
    write_atomic,
)
from matrix import read_matrix
from sklearn.ensemble import GradientBoostingClassifier
from trees import export_trees, metrics, score_trees

MODEL_FORMAT = "airflow-ml/gradient-boosting"
MODEL_VERSION = 1


def run(argv):
    args = parse_args(load_contract(), argv)
    p = args["params"]
    in_file = args["paths"]["in-dir"].rstrip("/") + "/train.bin"
    features, x, y = read_matrix(in_file)
    with open_input(args["paths"]["transform"], encoding="utf-8") as f:
        transform = json.load(f)
    if transform.get("features") != features:
        raise input_error(
            f"{in_file}: features {features} do not match {args['paths']['transform']}; "
            "were they made by the same preprocess run?"
        )
    positives = int(y.sum())
    if positives in (0, len(y)):
        raise input_error(
            f"{in_file}: the target has only one class; a classifier needs both"
        )

    gbm = GradientBoostingClassifier(
        n_estimators=p["n-estimators"],
        learning_rate=p["learning-rate"],
        max_depth=p["max-depth"],
        random_state=p["seed"],
    ).fit(x, y)
    exported = export_trees(gbm)
    prob = score_trees(exported, x)
    drift = float(np.max(np.abs(prob - gbm.predict_proba(x)[:, 1])))
    if drift > 1e-9:
        raise RuntimeError(f"the exported trees disagree with scikit-learn by {drift}")

    model = {
        "format": MODEL_FORMAT,
        "formatVersion": MODEL_VERSION,
        "ds": args["ds"],
        "features": features,
        "preprocessing": transform,
        "trees": exported,
        "hyperparameters": {
            "nEstimators": p["n-estimators"],
            "learningRate": p["learning-rate"],
            "maxDepth": p["max-depth"],
            "seed": p["seed"],
        },
        "training": metrics(prob, y),
    }
    out = args["paths"]["model"]
    write_atomic(out, (json.dumps(model, indent=2) + "\n").encode())
    auc = model["training"]["rocAuc"]
    return f"trained {len(exported['trees'])} trees on {len(y)} rows; train ROC AUC {auc:.4f}; wrote {out}"


if __name__ == "__main__":
    run_main("gbm-train", run)
