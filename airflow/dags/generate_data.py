# Generated from "dag-specs/generate_data.yaml" by airflow-ml — do not edit.
# Change the spec and run `npx airflow-ml compile` instead.

from __future__ import annotations

import hashlib
import os
import posixpath
import time
from datetime import timedelta

import pendulum
from airflow.providers.docker.exceptions import DockerContainerFailedException
from airflow.providers.docker.operators.docker import (
    DockerOperator as ProviderDockerOperator,
)
from airflow.providers.smtp.notifications.smtp import SmtpNotifier
from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowException, AirflowFailException
from docker.errors import APIError, NotFound
from docker.types import Mount
from requests.exceptions import ConnectionError as EngineConnectionError

# Deploy-time settings from the Airflow environment (docker-compose.yml, `airflow-ml deploy`).
# AIRFLOW_ML_DATA_ROOT: the data root's path on the Docker host, bind-mounted at /data.
# AIRFLOW_ML_STEP_USER: the uid:gid the step containers run as; it must be able to write there.
DATA_ROOT = os.environ.get("AIRFLOW_ML_DATA_ROOT", "")
if not DATA_ROOT:
    raise RuntimeError(
        "AIRFLOW_ML_DATA_ROOT is not set: set it to the data root's absolute path on the "
        "Docker host in the Airflow environment (see README, Configuration)."
    )
STEP_USER = os.environ.get("AIRFLOW_ML_STEP_USER", "1000:1000")
STEP_UID, _, STEP_GID = STEP_USER.partition(":")
if not (STEP_UID.isdigit() and STEP_GID.isdigit()) or int(STEP_UID) == 0:
    raise RuntimeError(
        f"AIRFLOW_ML_STEP_USER must be a numeric uid:gid other than root, not {STEP_USER!r}"
    )

STEP_PIDS_LIMIT = 256
# A step's own verdicts (see docker/steps/README.md): bad flags, bad input, a failed gate.
STEP_VERDICT_EXIT_CODES = (2, 3, 4)
STEP_CONTAINER_PREFIX = "airflow-ml-step-"
STEP_LABEL = "airflow-ml.step"
# The deployment (the compose project in the stack): keeps the reaper and the container names
# of deployments that share one Docker Engine apart.
STACK_ID = os.environ.get("AIRFLOW_ML_STACK_ID", "")
# Engine faults (connection refused or dropped, a 5xx, a restarted socket proxy that no
# longer knows the container) are retried inside the try.
ENGINE_RETRY_PAUSES = (5, 10, 20)
PROXY_REFUSAL = "this Docker API call is not allowed"


def _step_container_name(ti, try_number):
    key = "\x00".join((STACK_ID, ti.dag_id, ti.run_id, ti.task_id, str(ti.map_index)))
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return f"{STEP_CONTAINER_PREFIX}{digest}-t{try_number}"


def _step_labels(ti):
    return {
        STEP_LABEL: "true",
        "airflow-ml.stack": STACK_ID,
        "airflow-ml.dag_id": ti.dag_id,
        "airflow-ml.run_id": ti.run_id,
        "airflow-ml.task_id": ti.task_id,
        "airflow-ml.map_index": str(ti.map_index),
        "airflow-ml.try_number": str(ti.try_number),
    }


def _engine_fault(error):
    if isinstance(error, EngineConnectionError):
        return True
    if not isinstance(error, APIError):
        return False
    forgotten = error.status_code == 403 and PROXY_REFUSAL in str(error)
    return error.is_server_error() or forgotten


def _inside_data_root(arg):
    if not arg.startswith("/data/"):
        return True
    return posixpath.normpath(arg).startswith("/data/")


class DockerOperator(ProviderDockerOperator):
    """The docker provider's DockerOperator with least-privileged step containers.

    The provider has no arguments for these host settings, so they are added to the host
    config it builds: all capabilities dropped, no-new-privileges, a pids limit, swap equal
    to memory, a hard CPU cap, an init process (signals reach the step, zombies are reaped)
    and a read-only root filesystem with a private /tmp. No templated value is ever read as
    a template file: template_ext is empty.
    """

    template_ext = ()

    @property
    def cli(self):
        return _LeastPrivilegeClient(super().cli, self)

    def execute(self, context):
        outside = [a for a in self.command if not _inside_data_root(a)]
        if outside:
            raise AirflowFailException(
                f"{self.task_id}: {outside[0]!r} leaves /data; paths must stay in the data root"
            )
        ti = context["ti"]
        self.container_name = _step_container_name(ti, ti.try_number)
        self.labels = _step_labels(ti)
        for pause in (*ENGINE_RETRY_PAUSES, None):
            self.step_exit_code = None
            try:
                self._connect_engine()
                self._remove_left_containers(ti)
                return self._run_step(context)
            except (EngineConnectionError, APIError) as error:
                if self.step_exit_code is not None:
                    # The step ran to its end: never run it again for a cleanup fault.
                    return self._ended_but_not_removed(error)
                if pause is None or not _engine_fault(error):
                    raise
                self.log.warning(
                    "Docker Engine fault, not the step's: %s; again in %s s",
                    error,
                    pause,
                )
                time.sleep(pause)

    def _connect_engine(self):
        # The hook pings the engine once; when none answers it raises a bare AirflowException.
        try:
            return self.hook.get_conn()
        except AirflowException as error:
            raise EngineConnectionError(str(error)) from error

    def _remove_left_containers(self, ti):
        # A try that died with its scheduler leaves its container, maybe still running;
        # so may this try's own earlier attempt. None may run beside this one.
        for try_number in range(ti.try_number, 0, -1):
            name = _step_container_name(ti, try_number)
            try:
                self.cli.remove_container(name, force=True)
            except NotFound:
                continue
            self.log.warning("Removed container %s, left by an earlier try", name)

    def _ended_but_not_removed(self, error):
        code = self.step_exit_code
        self.log.warning(
            "%s exited %s; its container stays (the reaper removes it): %s",
            self.container_name,
            code,
            error,
        )
        if code == 0:
            return
        message = f"{self.task_id} exited {code} (its output is in the log above)"
        if code in STEP_VERDICT_EXIT_CODES:
            raise AirflowFailException(message) from error
        raise DockerContainerFailedException(message) from error

    def _run_step(self, context):
        try:
            return super().execute(context)
        except DockerContainerFailedException as error:
            lines = [str(line).strip() for line in error.logs or []]
            last = next((line for line in reversed(lines) if line), "no output")
            message = f"{self.task_id} exited {self.step_exit_code}: {last}"
            if self.step_exit_code in STEP_VERDICT_EXIT_CODES:
                # The step judged its input or a gate: a retry would fail the same way.
                raise AirflowFailException(message) from error
            raise DockerContainerFailedException(message, logs=error.logs) from error


class _LeastPrivilegeClient:
    """docker's APIClient, whose host configs always carry the settings above."""

    def __init__(self, client, operator):
        self._client = client
        self._operator = operator

    def __getattr__(self, name):
        return getattr(self._client, name)

    def wait(self, *args, **kwargs):
        result = self._client.wait(*args, **kwargs)
        self._operator.step_exit_code = result.get("StatusCode")
        return result

    def create_host_config(self, **kwargs):
        return self._client.create_host_config(
            **kwargs,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            pids_limit=STEP_PIDS_LIMIT,
            memswap_limit=kwargs.get("mem_limit"),
            nano_cpus=int(self._operator.cpus * 1_000_000_000),
            init=True,
            read_only=True,
            tmpfs={"/tmp": "rw,noexec,nosuid,nodev,size=64m"},
        )


with DAG(
    dag_id="generate_data",
    description="Daily synthetic data for the ML pipelines (raw/<ds>/data.csv and target.csv).",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["ml", "data"],
    max_active_runs=1,
    default_args={
        "on_failure_callback": SmtpNotifier(
            to=["ml-alerts@example.com"],
            subject="[airflow-ml] {{ ti.dag_id }}.{{ ti.task_id }} failed for {{ ds }}",
            html_content='<p>DAG <b>{{ ti.dag_id }}</b>, task <b>{{ ti.task_id }}</b> failed for logical date <b>{{ ds }}</b> (run {{ ti.run_id }}, try {{ ti.try_number }}).</p><p>Error: <code>{{ exception | e }}</code></p><p>Log: <a href="{{ ti.log_url }}">{{ ti.log_url }}</a></p>',
        ),
    },
) as dag:
    generate = DockerOperator(
        task_id="generate",
        image="airflow-ml-generate:2a1edc178593",
        command=[
            "--data",
            "/data/raw/{{ ds }}/data.csv",
            "--target",
            "/data/raw/{{ ds }}/target.csv",
            "--rows",
            "20000",
            "--seed",
            "42",
            "--ds",
            "{{ ds }}",
        ],
        environment={},
        mounts=[Mount(source=DATA_ROOT, target="/data", type="bind")],
        mount_tmp_dir=False,
        auto_remove="force",
        do_xcom_push=False,
        network_mode="none",
        user=STEP_USER,
        mem_limit="1g",
        cpus=1.0,
        retries=1,
        retry_delay=timedelta(seconds=30),
        execution_timeout=timedelta(seconds=900),
    )
