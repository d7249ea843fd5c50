# Generated from "tests/golden/cases/sensor_only/spec.yaml" by airflow-ml — do not edit.
# Change the spec and run `npx airflow-ml compile` instead.

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.providers.standard.hooks.filesystem import FSHook
from airflow.providers.standard.sensors.filesystem import (
    FileSensor as ProviderFileSensor,
)
from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowFailException


class FileSensor(ProviderFileSensor):
    """The standard provider's FileSensor that never globs and never leaves the data root."""

    def poke(self, context):
        base = os.path.realpath(FSHook(self.fs_conn_id).get_path())
        target = os.path.realpath(self.path)
        if any(c in self.filepath for c in "*?["):
            raise AirflowFailException(
                f"{self.task_id}: {self.filepath!r} has a glob character; sensors match one path"
            )
        if os.path.commonpath([base, target]) != base:
            raise AirflowFailException(
                f"{self.task_id}: {self.filepath!r} resolves to {target}, outside the data root {base}"
            )
        self.log.info("Poking for file %s", target)
        return os.path.isfile(target)


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
