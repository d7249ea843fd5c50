import type { Diagnostic } from '../errors';
import type { StepCatalog, ParamSpec } from './manifest';
import type { ParsedSpec, SpecPath } from './parse';
import { checkSchedule } from './schedule';
import { label } from './schema-errors';
import { MAX_DIAGNOSTICS_PER_SPEC } from './limits';
import { OVERFLOW } from './overflow';
import { didYouMean } from './suggest';
import { checkImageReference, IMAGE_REFERENCE_HINT } from './image-ref';
import { ALERT_EXPRESSIONS, checkNoTemplate, checkTemplate, withoutTemplates } from './templates';
import { durationSeconds, isTimeZone, parseStartDate } from './time';
import type { PipelineSpec, ScalarValue, TaskSettings, TaskSpec } from './types';

/**
 * Names a task id may not take: task ids become Python variable names in the generated file,
 * so keywords and the names the file itself uses are out.
 */
export const RESERVED_TASK_IDS = new Set([
  ...'and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
  'dag',
  'os',
  'pendulum',
  'timedelta',
]);

const STEP_ONLY_KEYS = [
  'step',
  'inputs',
  'outputs',
  'params',
  'image',
  'resources',
  'environment',
] as const;

/**
 * Checks that need no particular shape run on any mapping, so a spec with schema errors still
 * gets its schedule, dates and ids checked in the same pass. Each one guards its own types.
 */
export function shapeFreeDiagnostics(
  parsed: ParsedSpec,
  data: Record<string, unknown>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = reporter(parsed, out);
  if (typeof data.schedule === 'string') {
    const problem = checkSchedule(data.schedule);
    if (problem) {
      report(
        ['schedule'],
        problem.message,
        'examples: "@daily", "@weekly", "30 2 * * 1"',
        false,
        problem.offset,
      );
    }
    // Airflow refuses a continuous DAG that may run more than one run at a time.
    if (data.schedule === '@continuous' && data.max_active_runs !== 1) {
      report(
        ['schedule'],
        '"@continuous" needs max_active_runs: 1 (Airflow refuses the DAG otherwise)',
        'add max_active_runs: 1',
      );
    }
  }
  const timezone = typeof data.timezone === 'string' ? data.timezone : undefined;
  if (timezone !== undefined && !isTimeZone(timezone)) {
    report(
      ['timezone'],
      `unknown time zone "${timezone}"`,
      'use an IANA name such as "UTC" or "Europe/Moscow"',
    );
  }
  if (typeof data.start_date === 'string') {
    const start = parseStartDate(data.start_date, timezone);
    if (typeof start === 'string') report(['start_date'], start);
  }
  const alerts = data.alerts as { subject?: unknown; email?: unknown } | undefined;
  if (typeof alerts?.subject === 'string') {
    const problem = checkTemplate(alerts.subject, ALERT_EXPRESSIONS);
    if (problem) report(['alerts', 'subject'], problem);
  }
  (Array.isArray(alerts?.email) ? alerts.email : []).forEach((address: unknown, i) => {
    const problem = typeof address === 'string' ? checkNoTemplate(address) : undefined;
    if (problem)
      report(
        ['alerts', 'email', i],
        problem,
        'write a plain address such as ml-alerts@example.com',
      );
  });
  const ids = new Map<string, number>();
  (Array.isArray(data.tasks) ? data.tasks : []).forEach((task: unknown, i) => {
    const id = (task as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return;
    if (ids.has(id)) {
      report(
        ['tasks', i, 'id'],
        `duplicate task id "${id}" (first defined at tasks[${ids.get(id)}])`,
      );
    } else {
      ids.set(id, i);
    }
    if (RESERVED_TASK_IDS.has(id)) {
      report(
        ['tasks', i, 'id'],
        `task id "${id}" is reserved (a Python keyword or a name the DAG file uses)`,
        'pick another name, e.g. add a suffix',
      );
    }
  });
  return out;
}

/** Checks on a schema-valid spec: the graph, steps against the catalog, paths, templates. */
export function semanticDiagnostics(
  parsed: ParsedSpec,
  spec: PipelineSpec,
  catalog: StepCatalog,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = reporter(parsed, out);
  if (spec.defaults) checkSettings(spec.defaults, ['defaults'], report);
  const ids = new Set(spec.tasks.map((t) => t.id));
  spec.tasks.forEach((task, i) => checkTask(task, ['tasks', i], catalog, report));

  spec.tasks.forEach((task, i) => {
    const seen = new Set<string>();
    (task.depends_on ?? []).forEach((dep, j) => {
      const at: SpecPath = ['tasks', i, 'depends_on', j];
      if (dep === task.id) report(at, `task "${task.id}" depends on itself`);
      else if (!ids.has(dep)) report(at, () => `unknown task "${dep}"${didYouMean(dep, ids)}`);
      if (seen.has(dep)) report(at, `"${dep}" is listed twice`);
      seen.add(dep);
    });
  });

  checkDurations(spec, report);

  const cycle = findCycle(spec.tasks);
  if (cycle) {
    const first = spec.tasks.findIndex((t) => t.id === cycle[0]);
    report(
      ['tasks', first, 'depends_on'],
      `dependency cycle: ${cycle.join(' -> ')}`,
      'remove one of these depends_on entries',
    );
  }
  return out;
}

/** A message, or a function that builds one: suggestions are computed only when reported. */
type Message = string | (() => string);
/** `offset`: a character inside the string value at `path` that the problem is about. */
type Report = (
  path: SpecPath,
  message: Message,
  hint?: string,
  key?: boolean,
  offset?: number,
) => void;

/**
 * Collects diagnostics into `out`. Past MAX_DIAGNOSTICS_PER_SPEC it only counts them, so
 * neither positions nor suggestions are computed for a flood of problems (validateSpec
 * reports the count).
 */
function reporter(parsed: ParsedSpec, out: Diagnostic[]): Report {
  return (path, message, hint, key = false, offset) => {
    if (out.length >= MAX_DIAGNOSTICS_PER_SPEC) {
      out.push(OVERFLOW);
      return;
    }
    out.push({
      file: parsed.file,
      ...(offset === undefined ? parsed.locate(path, key) : parsed.locateIn(path, offset)),
      message: `${label(path)}: ${typeof message === 'string' ? message : message()}`,
      hint,
    });
  };
}

function checkTask(task: TaskSpec, at: SpecPath, catalog: StepCatalog, report: Report): void {
  if (task.sensor && task.step !== undefined) {
    report(at, 'a task is either a step or a sensor, not both');
    return;
  }
  if (task.sensor) {
    for (const key of STEP_ONLY_KEYS) {
      if (task[key] !== undefined)
        report([...at, key], `"${key}" applies only to step tasks`, undefined, true);
    }
    checkPath(task.sensor.path, [...at, 'sensor', 'path'], report);
    return;
  }
  if (task.step === undefined) {
    report(
      at,
      `task "${task.id}" needs "step" (a step image to run) or "sensor" (a file to wait for)`,
    );
    return;
  }
  const manifest = catalog[task.step];
  if (!manifest) {
    report(
      [...at, 'step'],
      () => `unknown step "${task.step}"${didYouMean(task.step as string, Object.keys(catalog))}`,
      `steps are defined in docker/steps/steps.json: ${Object.keys(catalog).join(', ')}`,
    );
    return;
  }
  checkSettings(task, at, report);
  checkPathMap('inputs', task.inputs ?? {}, manifest.inputs, at, report);
  checkPathMap('outputs', task.outputs ?? {}, manifest.outputs, at, report);
  for (const [name, value] of Object.entries(task.params ?? {})) {
    const param = manifest.params[name];
    const path = [...at, 'params', name];
    if (!param) {
      const known = Object.keys(manifest.params);
      report(
        path,
        () => `step "${task.step}" has no parameter "${name}"${didYouMean(name, known)}`,
        known.length
          ? `its parameters: ${known.join(', ')}`
          : `step "${task.step}" takes no parameters`,
        true,
      );
      continue;
    }
    const problem = checkParam(value, param);
    if (problem) report(path, problem);
  }
}

function checkPathMap(
  kind: 'inputs' | 'outputs',
  given: Record<string, string>,
  expected: Record<string, string>,
  at: SpecPath,
  report: Report,
): void {
  for (const [name, path] of Object.entries(given)) {
    if (!(name in expected)) {
      const known = Object.keys(expected);
      report(
        [...at, kind, name],
        () => `unknown ${kind.slice(0, -1)} "${name}"${didYouMean(name, known)}`,
        known.length ? `this step's ${kind}: ${known.join(', ')}` : `this step has no ${kind}`,
        true,
      );
    } else {
      checkPath(path, [...at, kind, name], report);
    }
  }
  for (const name of Object.keys(expected)) {
    if (!(name in given)) report([...at, kind], `missing ${kind.slice(0, -1)} "${name}"`);
  }
}

function checkSettings(settings: TaskSettings, at: SpecPath, report: Report): void {
  if (settings.image !== undefined) {
    const problem = checkImageReference(settings.image);
    if (problem) report([...at, 'image'], problem, IMAGE_REFERENCE_HINT);
  }
  for (const [name, value] of Object.entries(settings.environment ?? {})) {
    if (typeof value === 'string') {
      const problem = checkTemplate(value);
      if (problem) report([...at, 'environment', name], problem);
    }
  }
}

/** Longest duration a spec may give: Python's timedelta and Airflow's timeouts stay sane. */
export const MAX_DURATION_SECONDS = 365 * 86_400;

function checkDurations(spec: PipelineSpec, report: Report): void {
  const check = (value: number | string | undefined, at: SpecPath) => {
    if (value !== undefined && durationSeconds(value) > MAX_DURATION_SECONDS) {
      report(at, `${JSON.stringify(value)} is longer than 365 days`, 'give at most "365d"');
    }
  };
  const settings = (t: TaskSettings, at: SpecPath) => {
    check(t.retry_delay, [...at, 'retry_delay']);
    check(t.execution_timeout, [...at, 'execution_timeout']);
  };
  if (spec.defaults) settings(spec.defaults, ['defaults']);
  spec.tasks.forEach((task, i) => {
    settings(task, ['tasks', i]);
    check(task.sensor?.poke_interval, ['tasks', i, 'sensor', 'poke_interval']);
    check(task.sensor?.timeout, ['tasks', i, 'sensor', 'timeout']);
  });
}

/** Logical paths stay inside the data root: relative, no "..", no empty segments. */
function checkPath(value: string, at: SpecPath, report: Report): void {
  const problem = checkTemplate(value);
  if (problem) {
    report(at, problem);
    return;
  }
  const plain = withoutTemplates(value);
  if (plain.startsWith('/') || /^[A-Za-z]:/.test(plain)) {
    report(
      at,
      `path "${value}" is absolute; paths are relative to the data root`,
      'write e.g. "raw/{{ ds }}/data.csv"',
    );
  } else if (plain.split('/').some((s) => s === '..' || s === '.')) {
    report(at, `path "${value}" leaves the data root (".." or "." segment)`);
    // Control characters are exactly what this check is for.
    // eslint-disable-next-line no-control-regex
  } else if (/[\\\u0000-\u001f\u007f]/.test(plain) || plain.split('/').some((s) => s === '')) {
    report(
      at,
      `path "${value}" is not a clean relative path (backslash, control character or empty segment)`,
    );
  }
}

function checkParam(value: ScalarValue, param: ParamSpec): string | undefined {
  const type = param.type;
  if (type === 'integer' && !(typeof value === 'number' && Number.isInteger(value)))
    return `must be an integer`;
  if (type === 'number' && typeof value !== 'number') return `must be a number`;
  if (type === 'boolean' && typeof value !== 'boolean') return `must be true or false`;
  if (type === 'string') {
    if (typeof value !== 'string') return `must be a string`;
    return checkTemplate(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'must be finite';
    if (param.minimum !== undefined && value < param.minimum) return `must be >= ${param.minimum}`;
    if (param.maximum !== undefined && value > param.maximum) return `must be <= ${param.maximum}`;
    if (param.exclusiveMinimum !== undefined && value <= param.exclusiveMinimum)
      return `must be > ${param.exclusiveMinimum}`;
    if (param.exclusiveMaximum !== undefined && value >= param.exclusiveMaximum)
      return `must be < ${param.exclusiveMaximum}`;
  }
  return undefined;
}

/**
 * The first dependency cycle in task order, as ids [a, b, ..., a], or undefined. Iterative
 * depth-first search with an explicit stack: a chain of thousands of tasks must not overflow
 * the call stack.
 */
export function findCycle(tasks: TaskSpec[]): string[] | undefined {
  const deps = new Map<string, string[]>();
  // The first definition wins, as for duplicate-id diagnostics.
  for (const t of tasks) if (!deps.has(t.id)) deps.set(t.id, t.depends_on ?? []);
  const state = new Map<string, 'active' | 'done'>();
  for (const task of tasks) {
    if (state.has(task.id)) continue;
    const path: string[] = [task.id];
    const cursor: number[] = [0];
    state.set(task.id, 'active');
    while (path.length > 0) {
      const id = path[path.length - 1];
      const list = deps.get(id) ?? [];
      const i = cursor[cursor.length - 1]++;
      if (i >= list.length) {
        state.set(id, 'done');
        path.pop();
        cursor.pop();
        continue;
      }
      const dep = list[i];
      if (!deps.has(dep) || dep === id || state.get(dep) === 'done') continue;
      if (state.get(dep) === 'active') return [...path.slice(path.indexOf(dep)), dep].reverse();
      state.set(dep, 'active');
      path.push(dep);
      cursor.push(0);
    }
  }
  return undefined;
}
