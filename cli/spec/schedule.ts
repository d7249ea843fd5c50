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
  const never = neverFires(parts);
  return never ? `cron expression "${schedule}" never fires: ${never}` : undefined;
}

/** Longest month, by month number (February counts its leap day). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Days of month that no listed month has (e.g. "0 0 31 2 *", "0 0 30 2 *"): croniter refuses
 * such an expression, so Airflow would refuse the DAG. With a day-of-week restriction too,
 * cron fires on either, so that is left alone.
 */
function neverFires(parts: string[]): string | undefined {
  if (parts[4] !== '*' && parts[4] !== '?') return undefined;
  const days = expand(parts[2], FIELDS[2]);
  const months = expand(parts[3], FIELDS[3]);
  const possible = [...months].some((m) => [...days].some((d) => d <= MONTH_DAYS[m - 1]));
  return possible
    ? undefined
    : `no month it names has day ${[...days].sort((a, b) => a - b).join(', ')}`;
}

/** The values a (checked) cron field names. */
function expand(field: string, spec: (typeof FIELDS)[number]): Set<number> {
  const out = new Set<number>();
  for (const item of field.split(',')) {
    const [range, step] = item.split('/');
    const [lo, hi] =
      range === '*' || range === '?'
        ? [spec.min, spec.max]
        : range.split('-').map((b) => cronValue(b, spec) as number);
    const last = hi ?? (step === undefined ? lo : spec.max);
    for (let v = lo; v <= last; v += step === undefined ? 1 : Number(step)) out.add(v);
  }
  return out;
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
