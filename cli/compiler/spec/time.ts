/** start_date, time zones and durations: parsed strictly, so emitted Python never guesses. */

export interface StartDate {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** An IANA zone name, "UTC" for Z/offset forms (converted to UTC). */
  tz: string;
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(name);
  } catch {
    return false;
  }
}

/** Parses start_date; returns the value or a problem description. */
export function parseStartDate(value: string, timezone: string | undefined): StartDate | string {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (date) {
    const [y, m, d] = date.slice(1).map(Number);
    if (!validCalendarDate(y, m, d)) return `"${value}" is not a calendar date`;
    return { year: y, month: m, day: d, hour: 0, minute: 0, second: 0, tz: timezone ?? 'UTC' };
  }
  const dt = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?$/.exec(
    value,
  );
  if (!dt) return `"${value}" is not a date (YYYY-MM-DD) or an ISO 8601 date-time`;
  if (dt[7] === undefined) {
    return `"${value}" has no time zone; add "Z" or an offset such as "+03:00", or give a date and a timezone`;
  }
  if (timezone !== undefined) {
    return '`timezone` applies only to a date-only start_date; this date-time already has an offset';
  }
  const [y, mo, d, h, mi] = dt.slice(1, 6).map(Number);
  const s = dt[6] === undefined ? 0 : Number(dt[6]);
  if (!validCalendarDate(y, mo, d) || h > 23 || mi > 59 || s > 59) {
    return `"${value}" is not a valid date-time`;
  }
  if (dt[7] !== 'Z' && !/^[+-](0\d|1[0-4]):[0-5]\d$/.test(dt[7])) {
    return `"${value}" has the offset "${dt[7]}"; offsets run from -14:00 to +14:00`;
  }
  const offsetMinutes = dt[7] === 'Z' ? 0 : offsetToMinutes(dt[7]);
  const utc = new Date(Date.UTC(y, mo - 1, d, h, mi, s) - offsetMinutes * 60_000);
  // Python's datetime (and so pendulum) stops at year 9999.
  if (utc.getUTCFullYear() > 9999 || utc.getUTCFullYear() < 1) {
    return `"${value}" is outside the years 1 to 9999 in UTC`;
  }
  return {
    year: utc.getUTCFullYear(),
    month: utc.getUTCMonth() + 1,
    day: utc.getUTCDate(),
    hour: utc.getUTCHours(),
    minute: utc.getUTCMinutes(),
    second: utc.getUTCSeconds(),
    tz: 'UTC',
  };
}

function offsetToMinutes(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  const [h, m] = offset.slice(1).split(':').map(Number);
  return sign * (h * 60 + m);
}

function validCalendarDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** A schema-valid duration (number of seconds, or "5m" etc.) in seconds. */
export function durationSeconds(value: number | string): number {
  if (typeof value === 'number') return value;
  const unit = value.slice(-1);
  return Number(value.slice(0, -1)) * UNIT_SECONDS[unit];
}
