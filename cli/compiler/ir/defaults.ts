/**
 * What a spec gets when it says nothing. Chosen for a shared Airflow: bounded time and memory,
 * sensors that give up within the hour and release their worker slot while waiting.
 */
export const TASK_DEFAULTS = {
  retries: 0,
  retryDelaySeconds: 300,
  executionTimeoutSeconds: 3600,
  memLimit: '2g',
  cpus: 1,
} as const;

export const SENSOR_DEFAULTS = {
  pokeIntervalSeconds: 60,
  timeoutSeconds: 3600,
  mode: 'reschedule',
} as const;

export const DEFAULT_ALERT_SUBJECT =
  '[airflow-ml] {{ ti.dag_id }}.{{ ti.task_id }} failed for {{ ds }}';
