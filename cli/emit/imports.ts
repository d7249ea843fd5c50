/** The import block, in ruff/isort order: __future__, stdlib, third party (alphabetical). */
export function importsBlock(options: {
  sensors: boolean;
  steps: boolean;
  alerts: boolean;
}): string {
  const thirdParty = [
    'import pendulum',
    options.steps
      ? 'from airflow.providers.docker.operators.docker import (\n    DockerOperator as ProviderDockerOperator,\n)'
      : undefined,
    options.alerts
      ? 'from airflow.providers.smtp.notifications.smtp import SmtpNotifier'
      : undefined,
    options.sensors
      ? 'from airflow.providers.standard.sensors.filesystem import FileSensor'
      : undefined,
    'from airflow.sdk import DAG',
    options.steps ? 'from docker.types import Mount' : undefined,
  ].filter((line): line is string => line !== undefined);
  return [
    'from __future__ import annotations',
    '',
    ...(options.steps ? ['import os'] : []),
    'from datetime import timedelta',
    '',
    ...thirdParty,
  ].join('\n');
}
