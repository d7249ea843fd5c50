import type { Pipeline } from './types';
import { nextRuns } from '../spec/cron';
import type { StartDate } from '../spec/time';

/**
 * `validate --explain`: when each DAG will run, in its own time zone, so a schedule can be
 * read as dates rather than as cron. Runs are the cron ticks after `now` (or after the start
 * date, if that is later), as Airflow's cron timetable creates them.
 */
export function explainSchedule(p: Pipeline, now: Date, count = 3): string {
  const tz = p.startDate.tz;
  const head = `${p.dagId}: ${p.schedule === null ? 'no schedule' : JSON.stringify(p.schedule)} in ${tz}`;
  if (p.schedule === null) return `${head}: runs only when triggered`;
  const start = instantOf(p.startDate);
  if (p.schedule === '@once') return `${head}: one run, at ${formatIn(start, tz)}`;
  if (p.schedule === '@continuous') {
    return `${head}: one run after another from ${formatIn(start, tz)}`;
  }
  const after = start.getTime() > now.getTime() ? new Date(start.getTime() - 1) : now;
  const runs = nextRuns(p.schedule, tz, after, count);
  return `${head}: next runs ${runs.map((d) => formatIn(d, tz)).join(', ')}`;
}

/** "2026-03-02 02:30 GMT+3" (or "... UTC"): the wall clock in `tz` and its offset. */
export function formatIn(d: Date, tz: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'shortOffset',
    })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  );
  const zone = /^GMT(\+0)?$/.test(p.timeZoneName) ? 'UTC' : p.timeZoneName;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${zone}`;
}

/** The instant a start date's wall clock names in its zone. */
export function instantOf(s: StartDate): Date {
  const wall = Date.UTC(s.year, s.month - 1, s.day, s.hour, s.minute, s.second);
  // Two rounds settle the zone's offset at that instant (once more across a DST change).
  let guess = wall;
  for (let i = 0; i < 2; i++) guess = wall - offsetMs(new Date(guess), s.tz);
  return new Date(guess);
}

function offsetMs(d: Date, tz: string): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    })
      .formatToParts(d)
      .map((x) => [x.type, Number(x.value)]),
  );
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(d.getTime() / 1000) * 1000;
}

/** explainSchedule for each pipeline, by dag_id. */
export function explainSchedules(pipelines: Pipeline[], now: Date): string[] {
  return [...pipelines]
    .sort((a, b) => a.dagId.localeCompare(b.dagId))
    .map((p) => explainSchedule(p, now));
}
