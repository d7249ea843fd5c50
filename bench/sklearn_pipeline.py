"""The reference pipeline for `npm run bench`: the same five stages as our steps, written the
way a pandas + scikit-learn user would, in one process (so it pays no intermediate I/O).

Each stage does the work of its step and writes what the step writes:
- train fits, then scores the training rows for the training metrics that our train keeps in
  model.json (ROC AUC, accuracy, F1, log loss), and writes the model as JSON; the fit alone
  is also timed ("trainFit"), so the report can give that ratio too;
- validate computes the same metrics on the validation rows plus the ROC curve and the
  confusion counts that our metrics.json holds, and writes them as JSON.

usage: sklearn_pipeline.py DATA_CSV TARGET_CSV PREDICTIONS_CSV [SEED]
Prints one JSON object: per-stage seconds, peak RSS (KiB), CPU seconds, validation metrics.
"""

import json
import resource
import sys
import time

t0 = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    accuracy_score,
    confusion_matrix,
    f1_score,
    log_loss,
    roc_auc_score,
    roc_curve,
)
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

NUMERIC = ["age", "income", "tenure_months", "monthly_spend", "support_calls"]
CATEGORICAL = ["region", "plan"]


def main() -> None:
    data_csv, target_csv, predictions_csv = sys.argv[1:4]
    model_json = predictions_csv + ".model.json"
    metrics_json = predictions_csv + ".metrics.json"
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 42
    stages = {"startup": time.perf_counter() - t0}
    # CPU seconds per stage (all threads), steadier than wall time on a shared machine.
    cpu_stages = {}
    cpu_at = [time.process_time()]

    def stage(name, start):
        stages[name] = time.perf_counter() - start
        now = time.process_time()
        cpu_stages[name] = now - cpu_at[0]
        cpu_at[0] = now

    t = time.perf_counter()
    cpu_at[0] = time.process_time()
    data = pd.read_csv(data_csv)
    y = pd.read_csv(target_csv)["target"].to_numpy()
    pre = ColumnTransformer(
        [
            ("num", StandardScaler(), NUMERIC),
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CATEGORICAL),
        ]
    )
    x = pre.fit_transform(data)
    del data
    stage("preprocess", t)

    t = time.perf_counter()
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=0.2, stratify=y, random_state=seed
    )
    del x
    stage("split", t)

    t = time.perf_counter()
    # Newton-Cholesky, the solver closest to ours, to a tolerance as tight as our stopping rule.
    model = LogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-10, max_iter=100)
    model.fit(x_train, y_train)
    stages["trainFit"] = time.perf_counter() - t
    # Our train keeps the training-set figures in model.json: the same work here.
    training = scores(y_train, model.predict_proba(x_train)[:, 1])
    write_json(
        model_json,
        {
            "weights": model.coef_[0].tolist(),
            "intercept": float(model.intercept_[0]),
            "iterations": int(model.n_iter_[0]),
            "training": training,
        },
    )
    stage("train", t)

    t = time.perf_counter()
    p_val = model.predict_proba(x_val)[:, 1]
    metrics = scores(y_val, p_val)
    # Our validate also writes the confusion counts and the ROC curve into metrics.json.
    tn, fp, fn, tp = confusion_matrix(y_val, p_val > 0.5).ravel()
    fpr, tpr, _ = roc_curve(y_val, p_val)
    metrics["confusion"] = {"tp": int(tp), "fp": int(fp), "tn": int(tn), "fn": int(fn)}
    every = max(1, len(fpr) // 100)
    metrics["roc"] = [[float(a), float(b)] for a, b in zip(fpr[::every], tpr[::every])]
    metrics["trainIterations"] = int(model.n_iter_[0])
    write_json(metrics_json, metrics)
    stage("validate", t)

    t = time.perf_counter()
    raw = pd.read_csv(data_csv)
    proba = model.predict_proba(pre.transform(raw))[:, 1]
    out = pd.DataFrame({"class": (proba > 0.5).astype(np.int8), "probability": proba})
    out.to_csv(predictions_csv, index=False, float_format="%.6f")
    stage("predict", t)

    usage = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "stages": stages,
        "cpuStages": cpu_stages,
        "peakRssKiB": usage.ru_maxrss,  # KiB on Linux
        "cpuSeconds": usage.ru_utime + usage.ru_stime,  # all threads, imports included
        "metrics": metrics,
    }
    print(json.dumps(result))


def scores(y, p):
    """The figures our steps report for a set of rows."""
    return {
        "rows": int(len(y)),
        "rocAuc": float(roc_auc_score(y, p)),
        "accuracy": float(accuracy_score(y, p > 0.5)),
        "f1": float(f1_score(y, p > 0.5)),
        "logLoss": float(log_loss(y, p)),
    }


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f)


if __name__ == "__main__":
    main()
