"""Builds the pod of every KubernetesPodOperator task in a generated DAG file with the
cncf.kubernetes provider's own code, without a cluster: the DAG file is loaded in a real
Airflow DagBag, each task's templated fields are rendered as a task run renders them (with
the given context), and the provider's build_pod_request_obj (dry run: no Kubernetes API
client, no kube config) makes the V1Pod, which the kubernetes client serialises to the JSON
the API server would receive. Reads {"file": path, "context": {...}} on stdin; prints
{"import_errors": {...}, "pods": {"dag_id.task_id": pod}}. Needs no database: `var.value.NAME` reads
from the context. With "execute": true it also runs each task's execute() with that context
and reports how it ended, under "executed" (no cluster here: a task that passes the DAG
file's own checks fails later, reaching for one)."""

import json
import os
import sys
from types import SimpleNamespace

# Airflow logs to stdout: keep a private copy of it for the result, send fd 1 to stderr.
result_stream = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
from airflow.dag_processing.dagbag import DagBag
from airflow.providers.cncf.kubernetes.operators.pod import (
    KubernetesPodOperator,
)
from kubernetes.client import ApiClient

request = json.load(sys.stdin)
ctx = request["context"]
context = {
    "ds": ctx["ds"],
    "ds_nodash": ctx["ds_nodash"],
    "run_id": ctx["run_id"],
    "var": {"value": ctx["variables"]},
    "ti": SimpleNamespace(**ctx["ti"]),
}

bag = DagBag(dag_folder=request["file"], safe_mode=False)
pods = {}
executed = {}
for dag in bag.dags.values():
    for task in dag.tasks:
        if not isinstance(task, KubernetesPodOperator):
            continue
        task.render_template_fields(context)
        pod = task.build_pod_request_obj(None, dry_run=True)
        pods[f"{dag.dag_id}.{task.task_id}"] = ApiClient().sanitize_for_serialization(
            pod
        )
        if request.get("execute"):
            try:
                task.execute(context)
                ended = "returned"
            except Exception as e:  # noqa: BLE001 - how it ended is the result
                ended = f"{type(e).__name__}: {e}"
            executed[f"{dag.dag_id}.{task.task_id}"] = ended
json.dump(
    {"import_errors": dict(bag.import_errors), "pods": pods, "executed": executed},
    result_stream,
    indent=1,
)
result_stream.close()
