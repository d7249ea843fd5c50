/** Schedule syntax: Airflow's presets, a 5-field cron expression, or null (manual only). */

export const PRESETS = [
  '@once',
  '@continuous',
  '@hourly',
  '@daily',
  '@weekly',
  '@monthly',
  '@quarterly',
  '@yearly',
  '@annually',
];

const FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** Returns a problem description, or undefined when the schedule is valid. */
export function checkSchedule(schedule: string): string | undefined {
  if (schedule.startsWith('@')) {
    return PRESETS.includes(schedule)
      ? undefined
      : `unknown schedule preset "${schedule}"; use one of ${PRESETS.join(', ')}`;
  }
  const parts = schedule.trim().split(/\s+/);
  if (parts.length !== 5) {
    return `cron expression "${schedule}" has ${parts.length} fields; it needs 5 (minute hour day-of-month month day-of-week)`;
  }
  for (let i = 0; i < 5; i++) {
    const problem = checkCronField(parts[i], FIELDS[i]);
    if (problem) return `cron expression "${schedule}": ${problem}`;
  }
  return undefined;
}

function checkCronField(field: string, spec: (typeof FIELDS)[number]): string | undefined {
  for (const item of field.split(',')) {
    const [range, step, ...rest] = item.split('/');
    if (rest.length > 0 || (step !== undefined && !/^[1-9][0-9]*$/.test(step))) {
      return `bad step in ${spec.name} field "${field}"`;
    }
    if (range === '*') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `bad range in ${spec.name} field "${field}"`;
    for (const bound of bounds) {
      const value = cronValue(bound, spec);
      if (value === undefined || value < spec.min || value > spec.max) {
        return `${spec.name} field "${field}": "${bound}" is not in ${spec.min}-${spec.max}`;
      }
    }
  }
  return undefined;
}

function cronValue(token: string, spec: (typeof FIELDS)[number]): number | undefined {
  if (/^[0-9]+$/.test(token)) return Number(token);
  const index = spec.names?.indexOf(token.toLowerCase()) ?? -1;
  if (index < 0) return undefined;
  return spec.name === 'month' ? index + 1 : index;
}
