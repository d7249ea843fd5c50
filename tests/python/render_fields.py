"""Loads generated DAG modules (JSON {"sources": [...], "context": {...}} on stdin) in a real
Airflow DagBag and renders every templated field the way a task run does: each operator's
template_fields and its failure notifier's, with the given context. Prints, per module, the
import errors and {dag_id: {task_id: {field: rendered}}}. Needs no database: the context is
given, and `var.value.NAME` reads from it."""

import json
import os
import sys
import tempfile
from types import SimpleNamespace

# Airflow logs to stdout: keep a private copy of it for the result, send fd 1 to stderr.
result_stream = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
os.environ.setdefault("AIRFLOW_ML_DATA_ROOT", "/srv/airflow-ml-data")
from airflow.dag_processing.dagbag import DagBag  # noqa: E402

request = json.load(sys.stdin)
ctx = request["context"]


def context():
    return {
        "ds": ctx["ds"],
        "ds_nodash": ctx["ds_nodash"],
        "run_id": ctx["run_id"],
        "var": {"value": ctx["variables"]},
        "ti": SimpleNamespace(**ctx["ti"]),
    }


def plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return repr(value)


results = []
with tempfile.TemporaryDirectory() as folder:
    # Files that a hostile value might name as a template file (".sh", ".env" suffixes).
    for name, content in request.get("extra_files", {}).items():
        with open(os.path.join(folder, name), "w") as f:
            f.write(content)
    for i, source in enumerate(request["sources"]):
        with open(os.path.join(folder, f"dag_{i}.py"), "w") as f:
            f.write(source)
    bag = DagBag(dag_folder=folder, safe_mode=False)
    for i in range(len(request["sources"])):
        path = os.path.join(folder, f"dag_{i}.py")
        dags = [d for d in bag.dags.values() if d.fileloc == path]
        out = {"import_error": bag.import_errors.get(path), "tasks": {}}
        for dag in dags:
            for task in dag.tasks:
                fields = {}
                task.render_template_fields(context())
                for name in ("image", "command", "environment", "filepath"):
                    if name in task.template_fields:
                        fields[name] = plain(getattr(task, name))
                callbacks = task.on_failure_callback or []
                if not isinstance(callbacks, list):
                    callbacks = [callbacks]
                for notifier in callbacks:
                    notifier.render_template_fields(context())
                    fields["to"] = plain(notifier.to)
                    fields["subject"] = plain(notifier.subject)
                out["tasks"][task.task_id] = fields
        results.append(out)
json.dump(results, result_stream)
result_stream.flush()
