import type { SpecPath } from './parse';
import type { Report } from './report';
import { durationSeconds } from './time';
import type { PipelineSpec, TaskSettings } from './types';

/** Longest duration a spec may give: Python's timedelta and Airflow's timeouts stay sane. */
export const MAX_DURATION_SECONDS = 365 * 86_400;

export function checkDurations(spec: PipelineSpec, report: Report): void {
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
