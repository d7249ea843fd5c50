# Generated from "tests/golden/cases/kubernetes/spec.yaml" by airflow-ml — do not edit.
# Change the spec and run `npx airflow-ml compile` instead.

from __future__ import annotations

import os
import posixpath
from datetime import timedelta

import pendulum
from airflow.providers.cncf.kubernetes.operators.pod import (
    KubernetesPodOperator as ProviderKubernetesPodOperator,
)
from airflow.providers.standard.hooks.filesystem import FSHook
from airflow.providers.standard.sensors.filesystem import (
    FileSensor as ProviderFileSensor,
)
from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowFailException
from kubernetes.client import models as k8s

# Deploy-time settings from the Airflow environment (docs/scale-out.md, "Kubernetes").
# AIRFLOW_ML_DATA_PVC: the PersistentVolumeClaim holding the data root, mounted at /data.
# AIRFLOW_ML_K8S_NAMESPACE: the namespace the step pods run in.
# AIRFLOW_ML_IMAGE_REGISTRY: where the cluster pulls the step images from (empty: as tagged).
# AIRFLOW_ML_STEP_USER: the uid:gid the step pods run as; it must be able to write the claim.
DATA_PVC = os.environ.get("AIRFLOW_ML_DATA_PVC", "airflow-ml-data")
NAMESPACE = os.environ.get("AIRFLOW_ML_K8S_NAMESPACE", "airflow-ml")
IMAGE_REGISTRY = os.environ.get("AIRFLOW_ML_IMAGE_REGISTRY", "").rstrip("/")
STEP_USER = os.environ.get("AIRFLOW_ML_STEP_USER", "1000:1000")
STEP_UID, _, STEP_GID = STEP_USER.partition(":")
if not (STEP_UID.isdigit() and STEP_GID.isdigit()) or int(STEP_UID) == 0:
    raise RuntimeError(
        f"AIRFLOW_ML_STEP_USER must be a numeric uid:gid other than root, not {STEP_USER!r}"
    )
STEP_UID, STEP_GID = int(STEP_UID), int(STEP_GID)


def step_image(reference):
    """A step image as the cluster pulls it: under IMAGE_REGISTRY when one is set."""
    return f"{IMAGE_REGISTRY}/{reference}" if IMAGE_REGISTRY else reference


def _inside_data_root(arg):
    if not arg.startswith("/data/"):
        return True
    return posixpath.normpath(arg).startswith("/data/")


class KubernetesPodOperator(ProviderKubernetesPodOperator):
    """The cncf.kubernetes provider's KubernetesPodOperator, for the step pods.

    A path argument is rendered when the task runs (a Variable may hold "../x"); one that
    leaves /data fails the task before any pod is created.
    """

    def execute(self, context):
        outside = [a for a in self.arguments if not _inside_data_root(a)]
        if outside:
            raise AirflowFailException(
                f"{self.task_id}: {outside[0]!r} leaves /data; paths must stay in the data root"
            )
        return super().execute(context)


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
    dag_id="kubernetes",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=[],
) as dag:
    wait_data = FileSensor(
        task_id="wait_data",
        filepath="raw/{{ ds }}/data.csv",
        fs_conn_id="fs_default",
        poke_interval=30,
        timeout=3600,
        mode="reschedule",
    )
    preprocess = KubernetesPodOperator(
        task_id="preprocess",
        name="airflow-ml-preprocess",
        namespace=NAMESPACE,
        image=step_image("airflow-ml-preprocess:golden"),
        arguments=[
            "--data",
            "/data/raw/{{ ds }}/data.csv",
            "--target",
            "/data/raw/{{ ds }}/target.csv",
            "--out-dir",
            "/data/processed/{{ ds }}",
            "--ds",
            "{{ ds }}",
        ],
        env_vars={"LOG_LEVEL": "info"},
        labels={"airflow-ml.step": "true"},
        container_resources=k8s.V1ResourceRequirements(
            limits={"cpu": "500m", "memory": "512Mi"},
            requests={"cpu": "500m", "memory": "512Mi"},
        ),
        security_context=k8s.V1PodSecurityContext(
            run_as_non_root=True,
            run_as_user=STEP_UID,
            run_as_group=STEP_GID,
            fs_group=STEP_GID,
            seccomp_profile=k8s.V1SeccompProfile(type="RuntimeDefault"),
        ),
        container_security_context=k8s.V1SecurityContext(
            allow_privilege_escalation=False,
            read_only_root_filesystem=True,
            run_as_non_root=True,
            capabilities=k8s.V1Capabilities(drop=["ALL"]),
        ),
        volumes=[
            k8s.V1Volume(
                name="data",
                persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(
                    claim_name=DATA_PVC,
                ),
            ),
            k8s.V1Volume(
                name="tmp",
                empty_dir=k8s.V1EmptyDirVolumeSource(medium="Memory"),
            ),
        ],
        volume_mounts=[
            k8s.V1VolumeMount(name="data", mount_path="/data"),
            k8s.V1VolumeMount(name="tmp", mount_path="/tmp"),
        ],
        automount_service_account_token=False,
        on_finish_action="delete_pod",
        get_logs=True,
        do_xcom_push=False,
        retries=2,
        retry_delay=timedelta(seconds=300),
        execution_timeout=timedelta(seconds=3600),
    )
    train = KubernetesPodOperator(
        task_id="train",
        name="airflow-ml-train",
        namespace=NAMESPACE,
        image=step_image("airflow-ml-train:golden"),
        arguments=[
            "--in-dir",
            "/data/processed/{{ ds }}",
            "--transform",
            "/data/processed/{{ ds }}/transform.json",
            "--model",
            "/data/models/{{ ds }}/model.json",
            "--c",
            "0.5",
            "--ds",
            "{{ ds }}",
        ],
        env_vars={"LOG_LEVEL": "info", "RUN_DATE": "{{ ds }}"},
        labels={"airflow-ml.step": "true"},
        container_resources=k8s.V1ResourceRequirements(
            limits={"cpu": "2000m", "memory": "2Gi"},
            requests={"cpu": "2000m", "memory": "2Gi"},
        ),
        security_context=k8s.V1PodSecurityContext(
            run_as_non_root=True,
            run_as_user=STEP_UID,
            run_as_group=STEP_GID,
            fs_group=STEP_GID,
            seccomp_profile=k8s.V1SeccompProfile(type="RuntimeDefault"),
        ),
        container_security_context=k8s.V1SecurityContext(
            allow_privilege_escalation=False,
            read_only_root_filesystem=True,
            run_as_non_root=True,
            capabilities=k8s.V1Capabilities(drop=["ALL"]),
        ),
        volumes=[
            k8s.V1Volume(
                name="data",
                persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(
                    claim_name=DATA_PVC,
                ),
            ),
            k8s.V1Volume(
                name="tmp",
                empty_dir=k8s.V1EmptyDirVolumeSource(medium="Memory"),
            ),
        ],
        volume_mounts=[
            k8s.V1VolumeMount(name="data", mount_path="/data"),
            k8s.V1VolumeMount(name="tmp", mount_path="/tmp"),
        ],
        automount_service_account_token=False,
        on_finish_action="delete_pod",
        get_logs=True,
        do_xcom_push=False,
        retries=2,
        retry_delay=timedelta(seconds=300),
        execution_timeout=timedelta(seconds=3600),
        queue="heavy",
    )
    custom_validate = KubernetesPodOperator(
        task_id="custom_validate",
        name="airflow-ml-custom-validate",
        namespace=NAMESPACE,
        image="registry.example.com/ml/validate:1.0",
        arguments=[
            "--in-dir",
            "/data/processed/{{ ds }}",
            "--model",
            "/data/models/{{ ds }}/model.json",
            "--metrics",
            "/data/models/{{ ds }}/metrics.json",
            "--ds",
            "{{ ds }}",
        ],
        env_vars={"LOG_LEVEL": "info"},
        labels={"airflow-ml.step": "true"},
        container_resources=k8s.V1ResourceRequirements(
            limits={"cpu": "500m", "memory": "512Mi"},
            requests={"cpu": "500m", "memory": "512Mi"},
        ),
        security_context=k8s.V1PodSecurityContext(
            run_as_non_root=True,
            run_as_user=STEP_UID,
            run_as_group=STEP_GID,
            fs_group=STEP_GID,
            seccomp_profile=k8s.V1SeccompProfile(type="RuntimeDefault"),
        ),
        container_security_context=k8s.V1SecurityContext(
            allow_privilege_escalation=False,
            read_only_root_filesystem=True,
            run_as_non_root=True,
            capabilities=k8s.V1Capabilities(drop=["ALL"]),
        ),
        volumes=[
            k8s.V1Volume(
                name="data",
                persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(
                    claim_name=DATA_PVC,
                ),
            ),
            k8s.V1Volume(
                name="tmp",
                empty_dir=k8s.V1EmptyDirVolumeSource(medium="Memory"),
            ),
        ],
        volume_mounts=[
            k8s.V1VolumeMount(name="data", mount_path="/data"),
            k8s.V1VolumeMount(name="tmp", mount_path="/tmp"),
        ],
        automount_service_account_token=False,
        on_finish_action="delete_pod",
        get_logs=True,
        do_xcom_push=False,
        retries=2,
        retry_delay=timedelta(seconds=300),
        execution_timeout=timedelta(seconds=3600),
    )

    wait_data >> preprocess
    preprocess >> train
    train >> custom_validate
