# Generated from "tests/golden/cases/sensor_only/spec.yaml" by airflow-ml — do not edit.
# Change the spec and run `npx airflow-ml compile` instead.

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.providers.standard.sensors.filesystem import FileSensor
from airflow.sdk import DAG

with DAG(
    dag_id="sensor_only",
    schedule=None,
    start_date=pendulum.datetime(2026, 3, 1, tz="UTC"),
    catchup=False,
    tags=[],
) as dag:
    wait = FileSensor(
        task_id="wait",
        filepath="incoming/{{ ds_nodash }}/ready.flag",
        fs_conn_id="fs_default",
        poke_interval=timedelta(seconds=1.5),
        timeout=timedelta(seconds=90.5),
        mode="poke",
    )
