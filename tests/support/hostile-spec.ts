import fc from 'fast-check';
import { stringify } from 'yaml';
import type { SpecSource } from '../../cli/compiler/compile';

/**
 * Hostile values for every string a user controls in a spec, and the spec's own path: the
 * shared input of the compile-time property test (tests/unit/compiler/emit/hostile-strings) and the
 * render-time one (tests/integration/render-hostile).
 */

const FRAGMENTS = [
  '"',
  "'",
  '"""',
  "'''",
  '\\',
  '\n',
  '\r',
  '\0',
  '\t',
  '{{',
  '}}',
  '{%',
  '%}',
  '{#',
  '#}',
  '{{ ds }}',
  '{{ds_nodash}}',
  '{{ run_id }}',
  '{{ var.value.X }}',
  '{{ conn.smtp_default.password }}',
  "{{ ''.__class__ }}",
  '{% for x in range(3) %}x{% endfor %}',
  '");import os;os.system("id")#',
  '\n__import__("os").system("id")\n#',
  '.sh',
  '.bash',
  '.env',
  '@evil.example',
  'a@b.c',
  'ml/x:1',
  '\u2028',
  'é',
  '🚀',
  '\ud800',
  '$(',
  '`',
  '\x1b[31m',
];

export const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 5 })), {
      minLength: 1,
      maxLength: 8,
    })
    .map((p) => p.join('')),
);

/** How a field's accepted value shows up in the generated module. */
export type Check =
  /** Python literal equal to the value: where to find it. */
  | { kind: 'dag'; key: string; index?: number }
  | { kind: 'task'; task: 'wait' | 'run'; key: string; member?: string; index?: number }
  | { kind: 'command'; prefix: string }
  | { kind: 'notifier'; key: string; index?: number }
  | { kind: 'header' }
  /** Parsed into another form (dates, durations, ids): only the module's shape is checked. */
  | { kind: 'parsed' };

export interface Field {
  /** The spec path of the field as diagnostics label it, e.g. tasks[1].image. */
  label: string;
  /** Rendered by Airflow (a Jinja-templated field of the operator or notifier). */
  templated: boolean;
  check: Check;
  place(spec: BaseSpec, value: string): void;
  /** Where the spec's path goes instead of a field, for the `spec path` entry. */
  path?(value: string): string;
}

type BaseSpec = ReturnType<typeof baseSpec>;

interface WaitTask {
  id: string;
  sensor: { path: string; mode: string };
}
interface RunTask {
  id: string;
  step: string;
  depends_on: string[];
  image: string;
  outputs: { data: string; target: string };
  params: Record<string, unknown>;
  environment: Record<string, string>;
}

export function baseSpec() {
  const tasks: [WaitTask, RunTask] = [
    { id: 'wait', sensor: { path: 'in/{{ ds }}/data.csv', mode: 'reschedule' } },
    {
      id: 'run',
      step: 'generate',
      depends_on: ['wait'],
      image: 'airflow-ml-generate:pinned',
      outputs: { data: 'out/{{ ds }}/data.csv', target: 'out/{{ ds }}/target.csv' },
      params: { rows: 10 },
      environment: { VALUE: 'v' },
    },
  ];
  return {
    dag_id: 'hostile',
    description: 'a description',
    schedule: '@daily' as string | null,
    start_date: '2026-01-01',
    timezone: 'UTC',
    tags: ['ml'],
    defaults: {
      retry_delay: '30s',
      image: 'registry.example.com/ml/step:1',
      resources: { mem_limit: '1g' },
      environment: { DEFAULT_ENV: 'x' } as Record<string, string>,
    },
    alerts: { email: ['ml@example.com'], subject: '{{ ti.dag_id }} failed' },
    tasks,
  };
}

const wait = (s: BaseSpec) => s.tasks[0];
const run = (s: BaseSpec) => s.tasks[1];

export const FIELDS: Field[] = [
  {
    label: 'spec path',
    templated: false,
    check: { kind: 'header' },
    place: () => undefined,
    path: (v) => `dag-specs/${v}.yaml`,
  },
  {
    label: 'dag_id',
    templated: false,
    check: { kind: 'parsed' },
    place: (s, v) => void (s.dag_id = v),
  },
  {
    label: 'description',
    templated: false,
    check: { kind: 'dag', key: 'description' },
    place: (s, v) => void (s.description = v),
  },
  {
    label: 'schedule',
    templated: false,
    check: { kind: 'dag', key: 'schedule' },
    place: (s, v) => void (s.schedule = v),
  },
  {
    label: 'start_date',
    templated: false,
    check: { kind: 'parsed' },
    place: (s, v) => void (s.start_date = v),
  },
  {
    label: 'timezone',
    templated: false,
    check: { kind: 'parsed' },
    place: (s, v) => void (s.timezone = v),
  },
  {
    label: 'tags',
    templated: false,
    check: { kind: 'dag', key: 'tags', index: 0 },
    place: (s, v) => void (s.tags = [v]),
  },
  {
    label: 'defaults.retry_delay',
    templated: false,
    check: { kind: 'parsed' },
    place: (s, v) => void (s.defaults.retry_delay = v),
  },
  {
    label: 'defaults.image',
    templated: true,
    check: { kind: 'parsed' },
    place: (s, v) => void (s.defaults.image = v),
  },
  {
    label: 'defaults.resources.mem_limit',
    templated: false,
    check: { kind: 'task', task: 'run', key: 'mem_limit' },
    place: (s, v) => void (s.defaults.resources.mem_limit = v),
  },
  {
    label: 'defaults.environment (name)',
    templated: false,
    check: { kind: 'parsed' },
    place: (s, v) => void (s.defaults.environment = { [v]: 'x' }),
  },
  {
    label: 'defaults.environment (value)',
    templated: true,
    check: { kind: 'task', task: 'run', key: 'environment', member: 'DEFAULT_ENV' },
    place: (s, v) => void (s.defaults.environment = { DEFAULT_ENV: v }),
  },
  {
    label: 'alerts.email',
    templated: true,
    check: { kind: 'notifier', key: 'to', index: 0 },
    place: (s, v) => void (s.alerts.email = [v]),
  },
  {
    label: 'alerts.subject',
    templated: true,
    check: { kind: 'notifier', key: 'subject' },
    place: (s, v) => void (s.alerts.subject = v),
  },
  {
    label: 'tasks[0].id',
    templated: false,
    check: { kind: 'parsed' },
    place: (s, v) => {
      wait(s).id = v;
      run(s).depends_on = [v];
    },
  },
  {
    label: 'tasks[0].sensor.path',
    templated: true,
    check: { kind: 'task', task: 'wait', key: 'filepath' },
    place: (s, v) => void (wait(s).sensor.path = v),
  },
  {
    label: 'tasks[0].sensor.mode',
    templated: false,
    check: { kind: 'task', task: 'wait', key: 'mode' },
    place: (s, v) => void (wait(s).sensor.mode = v),
  },
  {
    label: 'tasks[1].step',
    templated: false,
    check: { kind: 'parsed' },
    place: (s, v) => void (run(s).step = v),
  },
  {
    label: 'tasks[1].depends_on',
    templated: false,
    check: { kind: 'parsed' },
    place: (s, v) => void (run(s).depends_on = [v]),
  },
  {
    label: 'tasks[1].image',
    templated: true,
    check: { kind: 'task', task: 'run', key: 'image' },
    place: (s, v) => void (run(s).image = v),
  },
  {
    label: 'tasks[1].outputs.data',
    templated: true,
    check: { kind: 'command', prefix: '/data/' },
    place: (s, v) => void (run(s).outputs.data = v),
  },
  {
    label: 'tasks[1].params.rows',
    templated: true,
    check: { kind: 'parsed' },
    place: (s, v) => void (run(s).params = { rows: v }),
  },
  {
    label: 'tasks[1].environment (value)',
    templated: true,
    check: { kind: 'task', task: 'run', key: 'environment', member: 'VALUE' },
    place: (s, v) => void (run(s).environment = { VALUE: v }),
  },
];

export interface Sample {
  field: Field;
  value: string;
  source: SpecSource;
}

/** `count` samples, each one hostile value in one field (round-robin over FIELDS). */
export function hostileSamples(count: number, seed: number): Sample[] {
  return fc.sample(hostileString, { numRuns: count, seed }).map((value, i) => {
    const field = FIELDS[i % FIELDS.length];
    const spec = baseSpec();
    // Distinct ids, so that all samples can share one DagBag.
    spec.dag_id = `hostile_${i}`;
    field.place(spec, value);
    return {
      field,
      value,
      source: {
        path: field.path ? field.path(value) : 'dag-specs/hostile.yaml',
        text: stringify(spec),
      },
    };
  });
}

/** The run context the render test uses, and what an allowed template renders to with it. */
export const RENDER_CONTEXT = {
  ds: '2026-01-02',
  ds_nodash: '20260102',
  run_id: 'manual__2026-01-02T00:00:00+00:00',
  variables: { X: 'value-of-X' } as Record<string, string>,
  ti: { dag_id: 'hostile', task_id: 'run', run_id: 'manual__2026-01-02' },
};

/**
 * What Airflow must render `value` to when only allow-listed expressions are templates:
 * each `{{ expression }}` replaced by its value, and every other character unchanged.
 */
export function expectedRendering(value: string): string {
  const known: Record<string, string> = {
    ds: RENDER_CONTEXT.ds,
    ds_nodash: RENDER_CONTEXT.ds_nodash,
    run_id: RENDER_CONTEXT.run_id,
    'ti.dag_id': RENDER_CONTEXT.ti.dag_id,
    'ti.task_id': RENDER_CONTEXT.ti.task_id,
    'ti.run_id': RENDER_CONTEXT.ti.run_id,
  };
  return value.replace(/\{\{([\s\S]*?)\}\}/g, (_, inner: string) => {
    const expression = inner.trim();
    const variable = /^var\.value\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expression);
    if (variable) return RENDER_CONTEXT.variables[variable[1]] ?? '';
    return known[expression];
  });
}
