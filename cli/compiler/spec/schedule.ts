import { checkCron, CRON_PRESETS, type CronProblem } from './cron';

/**
 * Schedule syntax, as Airflow 3.3 reads a `schedule=` string: `@once` and `@continuous`
 * (Airflow's own timetables), croniter's presets, or a cron expression in croniter's dialect
 * (cli/compiler/spec/cron.ts), or null (manual only).
 */

/** Airflow's timetables that are not cron. */
export const AIRFLOW_PRESETS = ['@once', '@continuous'];

export const PRESETS = [...AIRFLOW_PRESETS, ...Object.keys(CRON_PRESETS)];

/** The problem (with its offset in `schedule`), or undefined when Airflow accepts it. */
export function checkSchedule(schedule: string): CronProblem | undefined {
  const trimmed = schedule.trim();
  if (AIRFLOW_PRESETS.includes(schedule)) return undefined;
  if (trimmed.startsWith('@')) {
    return CRON_PRESETS[trimmed.toLowerCase()]
      ? undefined
      : {
          message: `unknown schedule preset "${schedule}"; use one of ${PRESETS.join(', ')}`,
          offset: schedule.indexOf('@'),
        };
  }
  return checkCron(schedule);
}
