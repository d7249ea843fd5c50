"""Loads every DAG file in a folder with a real Airflow DagBag and prints its structure as JSON into the file named by the second argument.
Needs no database and no scheduler: parsing is all a DAG file must survive."""

import json
import sys

from airflow.dag_processing.dagbag import DagBag

bag = DagBag(dag_folder=sys.argv[1], safe_mode=False)
dags = {}
for dag_id, dag in sorted(bag.dags.items()):
    tasks = {}
    for task in dag.tasks:
        info = {
            "type": type(task).__name__,
            "module": type(task).__module__,
            "mro": [f"{c.__module__}.{c.__qualname__}" for c in type(task).__mro__],
            "template_ext": list(task.template_ext),
            "downstream": sorted(task.downstream_task_ids),
            "has_on_failure_callback": bool(task.on_failure_callback),
        }
        for attr in ("fs_conn_id", "filepath", "mode", "image", "network_mode", "mount_tmp_dir", "auto_remove", "retries", "do_xcom_push"):
            if hasattr(task, attr):
                value = getattr(task, attr)
                info[attr] = value if isinstance(value, (str, int, bool, type(None))) else str(value)
        tasks[task.task_id] = info
    dags[dag_id] = {
        "schedule": str(dag.schedule) if dag.schedule is not None else None,
        "start_date": dag.start_date.isoformat() if dag.start_date else None,
        "catchup": dag.catchup,
        "tags": sorted(dag.tags),
        "tasks": tasks,
    }
# Airflow logs to stdout, so the result goes to a file.
with open(sys.argv[2], "w") as f:
    json.dump({"import_errors": dict(bag.import_errors), "dags": dags}, f, default=str)
