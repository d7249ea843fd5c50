"""The step reaper (service step-reaper): removes step containers no task instance runs any more.

A step container is removed by its own task (auto_remove), and a try removes what an earlier try
of the same task instance left (the generated DockerOperator names containers after the task
instance). What neither covers: a try that died with its scheduler and was never tried again
(its run was marked failed, its retries were spent, the run was deleted). Its container stays,
exited or even still running. This loop finds those at startup and then every
AIRFLOW_ML_REAPER_INTERVAL seconds (default 15):
  - it lists its stack's step containers (labels airflow-ml.step and airflow-ml.stack=<the
    compose project>, so another Airflow on the same engine is left alone) through the socket
    proxy, which allows exactly that list call and a forced removal by a step container's
    name, nothing else;
  - it reads each one's task instance from the metadata database;
  - it removes a container whose task instance is gone, has moved on to a later try, or is no
    longer running (see `verdict`). A running try's container is never touched.
Each removal is one log line, with why.

Runs in the Airflow image (docker-compose.yml), which has docker-py and the Airflow ORM.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

STEP_LABEL = "airflow-ml.step"
STACK_ID = os.environ.get("AIRFLOW_ML_STACK_ID", "")
# A step container's name: a try's own, which no later try reuses (cli/compiler/emit/step-operator.ts).
NAME = re.compile(r"^/?(airflow-ml-step-[0-9a-f]{24}-t[0-9]{1,4})$")
# The exact query the proxy lets through (docker/stack/socket-proxy/haproxy.cfg, r_list_steps).
LIST_PARAMS = [
    ("all", "1"),
    (
        "filters",
        json.dumps(
            {"label": [STEP_LABEL, f"airflow-ml.stack={STACK_ID}"]},
            separators=(",", ":"),
        ),
    ),
]
# A container younger than this is left alone: its task may not have reached "running" in the
# database yet when the container was created by a try that started a moment ago.
GRACE_S = 20
HEARTBEAT = Path(
    os.environ.get("AIRFLOW_ML_REAPER_HEARTBEAT", "/tmp/step-reaper.heartbeat")
)


def log(message: str) -> None:
    print(f"[step-reaper] {message}", flush=True)


def verdict(
    labels: dict, created: float, ti: tuple[str | None, int] | None, now: float
) -> str | None:
    """Why a step container should be removed, or None to keep it.

    labels: the container's labels; created: its creation time (epoch seconds); ti: its task
    instance's (state, try_number), or None when the database has no such task instance.
    """
    if now - created < GRACE_S:
        return None
    if ti is None:
        return "its task instance no longer exists"
    state, try_number = ti
    label_try = labels.get("airflow-ml.try_number", "")
    if label_try != str(try_number):
        return f"it belongs to try {label_try or '?'} and the task instance is at try {try_number}"
    if state != "running":
        return f"its task instance is {state or 'reset (no state)'}"
    return None


def task_instance_key(labels: dict) -> tuple[str, str, str, int] | None:
    try:
        return (
            labels["airflow-ml.dag_id"],
            labels["airflow-ml.run_id"],
            labels["airflow-ml.task_id"],
            int(labels["airflow-ml.map_index"]),
        )
    except (KeyError, ValueError):
        return None


def read_task_instance(session, key) -> tuple[str | None, int] | None:
    from airflow.models.taskinstance import TaskInstance as TI
    from sqlalchemy import select

    dag_id, run_id, task_id, map_index = key
    row = session.execute(
        select(TI.state, TI.try_number).where(
            TI.dag_id == dag_id,
            TI.run_id == run_id,
            TI.task_id == task_id,
            TI.map_index == map_index,
        )
    ).one_or_none()
    if row is None:
        return None
    state = row[0].value if hasattr(row[0], "value") else row[0]
    return state, row[1]


def sweep(api, now: float) -> int:
    """One pass; returns how many containers were removed."""
    from airflow.utils.session import create_session
    from docker.errors import NotFound

    response = api.get(api._url("/containers/json"), params=LIST_PARAMS)
    response.raise_for_status()
    removed = 0
    with create_session() as session:
        for container in response.json():
            names = [
                m.group(1) for n in container.get("Names") or [] if (m := NAME.match(n))
            ]
            labels = container.get("Labels") or {}
            key = task_instance_key(labels)
            if not names:
                continue
            ti = read_task_instance(session, key) if key else None
            why = verdict(labels, float(container.get("Created", now)), ti, now)
            if why is None:
                continue
            try:
                api.remove_container(names[0], force=True)
            except NotFound:
                continue  # its try removed it meanwhile
            removed += 1
            log(
                f"removed {names[0]} ({container.get('State')}; "
                f"{labels.get('airflow-ml.dag_id')}.{labels.get('airflow-ml.task_id')} "
                f"run {labels.get('airflow-ml.run_id')}): {why}"
            )
    return removed


def main() -> None:
    import docker

    if not STACK_ID:
        sys.exit(
            "[step-reaper] AIRFLOW_ML_STACK_ID is not set: it names the stack whose step containers are reaped"
        )
    interval = int(os.environ.get("AIRFLOW_ML_REAPER_INTERVAL", "15"))
    api = docker.APIClient(base_url=os.environ["DOCKER_HOST"], version="auto")
    log(f"watching step containers every {interval} s")
    while True:
        try:
            sweep(api, time.time())
            HEARTBEAT.touch()
        except Exception as error:  # noqa: BLE001 - the next pass tries again; say why
            log(f"pass failed, next in {interval} s: {type(error).__name__}: {error}")
        time.sleep(interval)


if __name__ == "__main__":
    sys.exit(main())
