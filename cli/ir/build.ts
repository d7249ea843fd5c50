import type { StepCatalog } from '../spec/manifest';
import { durationSeconds, parseStartDate } from '../spec/time';
import type { PipelineSpec, ScalarValue, TaskSettings, TaskSpec } from '../spec/types';
import { DEFAULT_ALERT_SUBJECT, SENSOR_DEFAULTS, TASK_DEFAULTS } from './defaults';
import type { NamedValue, Pipeline, Task } from './types';

/** Builds the IR from a spec that passed validation (semantic checks included). */
export function buildPipeline(spec: PipelineSpec, source: string, catalog: StepCatalog): Pipeline {
  const startDate = parseStartDate(spec.start_date, spec.timezone);
  if (typeof startDate === 'string') throw new Error(`unvalidated spec: ${startDate}`);
  const tasks = new Map(spec.tasks.map((t) => [t.id, buildTask(t, spec.defaults ?? {}, catalog)]));
  return {
    dagId: spec.dag_id,
    source,
    description: spec.description,
    schedule: spec.schedule,
    startDate,
    catchup: spec.catchup ?? false,
    tags: spec.tags ?? [],
    maxActiveRuns: spec.max_active_runs,
    alerts: spec.alerts && {
      to: spec.alerts.email,
      subject: spec.alerts.subject ?? DEFAULT_ALERT_SUBJECT,
    },
    tasks: topologicalOrder([...tasks.values()]),
  };
}

function buildTask(task: TaskSpec, defaults: TaskSettings, catalog: StepCatalog): Task {
  const upstream = [...new Set(task.depends_on ?? [])].sort();
  if (task.sensor) {
    return {
      kind: 'sensor',
      id: task.id,
      upstream,
      path: task.sensor.path,
      pokeIntervalSeconds: seconds(task.sensor.poke_interval, SENSOR_DEFAULTS.pokeIntervalSeconds),
      timeoutSeconds: seconds(task.sensor.timeout, SENSOR_DEFAULTS.timeoutSeconds),
      mode: task.sensor.mode ?? SENSOR_DEFAULTS.mode,
    };
  }
  const step = task.step as string;
  const manifest = catalog[step];
  const pick = <K extends keyof TaskSettings>(key: K) => task[key] ?? defaults[key];
  return {
    kind: 'step',
    id: task.id,
    upstream,
    step,
    image: pick('image'),
    inputs: inContractOrder(task.inputs ?? {}, manifest.inputs),
    outputs: inContractOrder(task.outputs ?? {}, manifest.outputs),
    params: sortedValues(task.params ?? {}),
    retries: pick('retries') ?? TASK_DEFAULTS.retries,
    retryDelaySeconds: seconds(pick('retry_delay'), TASK_DEFAULTS.retryDelaySeconds),
    executionTimeoutSeconds: seconds(
      pick('execution_timeout'),
      TASK_DEFAULTS.executionTimeoutSeconds,
    ),
    memLimit: task.resources?.mem_limit ?? defaults.resources?.mem_limit ?? TASK_DEFAULTS.memLimit,
    cpus: task.resources?.cpus ?? defaults.resources?.cpus ?? TASK_DEFAULTS.cpus,
    // Task environment extends the defaults' environment, key by key.
    environment: sortedValues({ ...defaults.environment, ...task.environment }),
  };
}

function seconds(value: number | string | undefined, fallback: number): number {
  return value === undefined ? fallback : durationSeconds(value);
}

function inContractOrder(
  given: Record<string, string>,
  contract: Record<string, unknown>,
): NamedValue[] {
  return Object.keys(contract)
    .filter((name) => name in given)
    .map((name) => ({ name, value: given[name] }));
}

function sortedValues(values: Record<string, ScalarValue>): NamedValue[] {
  return Object.keys(values)
    .sort()
    .map((name) => ({ name, value: String(values[name]) }));
}

/** Kahn's algorithm; among ready tasks the smallest id goes first, so output is stable. */
export function topologicalOrder(tasks: Task[]): Task[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const waiting = new Map(tasks.map((t) => [t.id, new Set(t.upstream)]));
  const order: Task[] = [];
  while (waiting.size > 0) {
    const ready = [...waiting]
      .filter(([, ups]) => ups.size === 0)
      .map(([id]) => id)
      .sort();
    if (ready.length === 0) throw new Error('unvalidated spec: dependency cycle');
    const next = ready[0];
    order.push(byId.get(next) as Task);
    waiting.delete(next);
    for (const ups of waiting.values()) ups.delete(next);
  }
  return order;
}
