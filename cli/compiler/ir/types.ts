import type { StartDate } from '../spec/time';
import type { Runner } from '../spec/types';

/**
 * The pipeline IR: a normalised, typed graph with every default applied and every duration in
 * seconds. It knows nothing of YAML or of Docker, so another backend (KubernetesPodOperator)
 * can be one more emitter.
 */
export interface Pipeline {
  dagId: string;
  /** The spec's path relative to the project root, for the generated header. */
  source: string;
  description?: string;
  schedule: string | null;
  startDate: StartDate;
  catchup: boolean;
  tags: string[];
  maxActiveRuns?: number;
  /** The backend the emitter writes the step tasks for. */
  runner: Runner;
  alerts?: Alerts;
  /** Topological order, ties broken by id. */
  tasks: Task[];
}

export interface Alerts {
  to: string[];
  subject: string;
}

export type Task = StepTask | SensorTask;

interface TaskBase {
  id: string;
  /** Sorted ids of the tasks that must finish first. */
  upstream: string[];
  /** The executor queue (Celery); undefined: Airflow's default queue, and no `queue=`. */
  queue?: string;
}

export interface StepTask extends TaskBase {
  kind: 'step';
  step: string;
  /** Set only when the spec overrides the step's image. */
  image?: string;
  /** Logical paths (relative to the data root), in the step contract's order. */
  inputs: NamedValue[];
  outputs: NamedValue[];
  params: NamedValue[];
  retries: number;
  retryDelaySeconds: number;
  executionTimeoutSeconds: number;
  memLimit: string;
  cpus: number;
  environment: NamedValue[];
}

export interface SensorTask extends TaskBase {
  kind: 'sensor';
  path: string;
  pokeIntervalSeconds: number;
  timeoutSeconds: number;
  mode: 'reschedule' | 'poke';
}

export interface NamedValue {
  name: string;
  value: string;
}
