import { UsageError } from '../../base/errors';

/**
 * A day as Airflow's logical date: midnight UTC, timezone-aware, because the API rejects
 * naive datetimes and `{{ ds }}` in templates is this date. Default: today (UTC).
 */
export function logicalDateForDay(day?: string, now: Date = new Date(), flag = '--date'): string {
  const ymd = day ?? now.toISOString().slice(0, 10);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !date || date.toISOString().slice(0, 10) !== ymd) {
    throw new UsageError(
      `${flag} must be a calendar day as YYYY-MM-DD, not "${ymd}"`,
      `e.g. ${flag} 2024-03-05`,
    );
  }
  return `${ymd}T00:00:00+00:00`;
}
