import type { StepCatalog } from '../steps/contract';
import { durationSeconds, parseStartDate } from '../spec/time';
import type { PipelineSpec, ScalarValue, TaskSettings, TaskSpec } from '../spec/types';
import { DEFAULT_ALERT_SUBJECT, SENSOR_DEFAULTS, TASK_DEFAULTS } from './defaults';
import type { NamedValue, Pipeline, Task } from './types';
import { InternalError } from '../../base/errors';

/** Builds the IR from a spec that passed validation (semantic checks included). */
export function buildPipeline(spec: PipelineSpec, source: string, catalog: StepCatalog): Pipeline {
  const startDate = parseStartDate(spec.start_date, spec.timezone);
  if (typeof startDate === 'string') throw new InternalError(`unvalidated spec: ${startDate}`);
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
    runner: spec.runner ?? 'docker',
    alerts: spec.alerts && {
      to: spec.alerts.email,
      subject: spec.alerts.subject ?? DEFAULT_ALERT_SUBJECT,
    },
    tasks: topologicalOrder([...tasks.values()]),
  };
}

function buildTask(task: TaskSpec, defaults: TaskSettings, catalog: StepCatalog): Task {
  const upstream = [...new Set(task.depends_on ?? [])].sort();
  // A sensor runs on a worker too: the defaults' queue applies to it as to a step.
  const queue = task.queue ?? defaults.queue;
  if (task.sensor) {
    return {
      kind: 'sensor',
      id: task.id,
      upstream,
      ...(queue === undefined ? {} : { queue }),
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
    ...(queue === undefined ? {} : { queue }),
    step,
    image: pick('image'),
    inputs: inContractOrder(task.inputs ?? {}, manifest.inputs),
    outputs: inContractOrder(task.outputs ?? {}, manifest.outputs),
    params: sortedValues(task.params ?? {}),
    // The spec (task, then its defaults) first, then the step's own contract, then ours.
    retries: pick('retries') ?? manifest.retry?.retries ?? TASK_DEFAULTS.retries,
    retryDelaySeconds: seconds(
      pick('retry_delay') ?? manifest.retry?.retry_delay,
      TASK_DEFAULTS.retryDelaySeconds,
    ),
    executionTimeoutSeconds: seconds(
      pick('execution_timeout'),
      TASK_DEFAULTS.executionTimeoutSeconds,
    ),
    memLimit:
      task.resources?.mem_limit ??
      defaults.resources?.mem_limit ??
      manifest.resources?.mem_limit ??
      TASK_DEFAULTS.memLimit,
    cpus:
      task.resources?.cpus ??
      defaults.resources?.cpus ??
      manifest.resources?.cpus ??
      TASK_DEFAULTS.cpus,
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

/**
 * Kahn's algorithm; among ready tasks the smallest id goes first, so output is stable. The
 * ready set is a binary heap and each edge is visited once: O((tasks + edges) log tasks), so
 * a spec with thousands of tasks orders in milliseconds.
 */
export function topologicalOrder(tasks: Task[]): Task[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const pending = new Map(tasks.map((t) => [t.id, t.upstream.length]));
  const downstream = new Map<string, string[]>(tasks.map((t) => [t.id, []]));
  for (const t of tasks) for (const up of t.upstream) downstream.get(up)?.push(t.id);
  const ready = new MinHeap(tasks.filter((t) => t.upstream.length === 0).map((t) => t.id));
  const order: Task[] = [];
  for (let next = ready.pop(); next !== undefined; next = ready.pop()) {
    order.push(byId.get(next) as Task);
    for (const down of downstream.get(next) ?? []) {
      const left = (pending.get(down) as number) - 1;
      pending.set(down, left);
      if (left === 0) ready.push(down);
    }
  }
  if (order.length !== tasks.length) throw new InternalError('unvalidated spec: dependency cycle');
  return order;
}

/** A min-heap of strings in code-unit order (the order Array.prototype.sort gives). */
class MinHeap {
  private readonly items: string[] = [];
  constructor(initial: string[]) {
    for (const item of initial) this.push(item);
  }
  push(item: string): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (a[parent] <= a[i]) break;
      [a[parent], a[i]] = [a[i], a[parent]];
      i = parent;
    }
  }
  pop(): string | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop() as string;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}
