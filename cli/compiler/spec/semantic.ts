import type { Diagnostic } from '../../base/errors';
import { findCycle } from './cycle';
import { checkDurations } from './durations';
import type { StepCatalog } from '../steps/contract';
import type { ParsedSpec, SpecPath } from './parse';
import { reporter } from './report';
import { checkSchedule } from './schedule';
import { checkSettings, checkTask } from './step-contract-checks';
import { didYouMean } from './suggest';
import { ALERT_EXPRESSIONS, checkNoTemplate, checkTemplate } from './templates';
import { isTimeZone, parseStartDate } from './time';
import type { PipelineSpec } from './types';

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
