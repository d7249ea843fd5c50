/** A spec as the schema admits it (after ajv), before semantic checks. Field names follow the YAML. */

export type Duration = number | string;
/** Where the steps run: DockerOperator containers, or KubernetesPodOperator pods. */
export type Runner = 'docker' | 'kubernetes';
export type ScalarValue = string | number | boolean;

export interface Resources {
  mem_limit?: string;
  cpus?: number;
}

export interface TaskSettings {
  retries?: number;
  retry_delay?: Duration;
  execution_timeout?: Duration;
  /** The Celery queue the task is sent to (CeleryExecutor); default: Airflow's default queue. */
  queue?: string;
  image?: string;
  resources?: Resources;
  environment?: Record<string, ScalarValue>;
}

export interface SensorSpec {
  path: string;
  poke_interval?: Duration;
  timeout?: Duration;
  mode?: 'reschedule' | 'poke';
}

export interface TaskSpec extends TaskSettings {
  id: string;
  depends_on?: string[];
  step?: string;
  inputs?: Record<string, string>;
  outputs?: Record<string, string>;
  params?: Record<string, ScalarValue>;
  sensor?: SensorSpec;
}

export interface PipelineSpec {
  dag_id: string;
  description?: string;
  schedule: string | null;
  start_date: string;
  timezone?: string;
  catchup?: boolean;
  tags?: string[];
  max_active_runs?: number;
  runner?: Runner;
  defaults?: TaskSettings;
  alerts?: { email: string[]; subject?: string };
  tasks: TaskSpec[];
}
