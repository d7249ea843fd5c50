/**
 * The import block, in ruff/isort order: __future__, stdlib, third party; within a section
 * plain imports first, then from-imports, each by module name.
 */
export function importsBlock(options: {
  sensors: boolean;
  steps: boolean;
  alerts: boolean;
  /** Steps as KubernetesPodOperator pods instead of DockerOperator containers. */
  pods?: boolean;
}): string {
  const { sensors, alerts } = options;
  const pods = options.steps && options.pods === true;
  const steps = options.steps && !pods;
  const stdlib = [
    steps ? 'import hashlib' : undefined,
    steps || pods || sensors ? 'import os' : undefined,
    steps || pods ? 'import posixpath' : undefined,
    steps ? 'import time' : undefined,
    'from datetime import timedelta',
  ];
  const thirdParty = [
    'import pendulum',
    pods
      ? 'from airflow.providers.cncf.kubernetes.operators.pod import (\n    KubernetesPodOperator as ProviderKubernetesPodOperator,\n)'
      : undefined,
    steps
      ? 'from airflow.providers.docker.exceptions import DockerContainerFailedException'
      : undefined,
    steps
      ? 'from airflow.providers.docker.operators.docker import (\n    DockerOperator as ProviderDockerOperator,\n)'
      : undefined,
    alerts ? 'from airflow.providers.smtp.notifications.smtp import SmtpNotifier' : undefined,
    sensors ? 'from airflow.providers.standard.hooks.filesystem import FSHook' : undefined,
    sensors
      ? 'from airflow.providers.standard.sensors.filesystem import (\n    FileSensor as ProviderFileSensor,\n)'
      : undefined,
    'from airflow.sdk import DAG',
    steps
      ? 'from airflow.sdk.exceptions import AirflowException, AirflowFailException'
      : sensors || pods
        ? 'from airflow.sdk.exceptions import AirflowFailException'
        : undefined,
    steps ? 'from docker.errors import APIError, NotFound' : undefined,
    steps ? 'from docker.types import Mount' : undefined,
    pods ? 'from kubernetes.client import models as k8s' : undefined,
    steps ? 'from requests.exceptions import ConnectionError as EngineConnectionError' : undefined,
  ];
  const present = (lines: (string | undefined)[]) =>
    lines.filter((line): line is string => line !== undefined);
  return [
    'from __future__ import annotations',
    '',
    ...present(stdlib),
    '',
    ...present(thirdParty),
  ].join('\n');
}
