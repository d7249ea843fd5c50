import { CronExpressionParser } from 'cron-parser';
import { InternalError } from '../../base/errors';

/**
 * Cron as Airflow 3.3 reads it. Airflow hands a schedule string to croniter (7.0, pinned in
 * airflow/requirements.txt); this module accepts croniter's dialect and refuses what croniter
 * refuses, with the offset of the offending text, and computes run times with `cron-parser`
 * (a maintained parser that knows time zones).
 *
 * The two parsers read different dialects, so croniter's syntax is read here, field by field,
 * and handed to cron-parser in a form both agree on (explicit value lists). What croniter adds
 * and cron-parser lacks (wrap-around ranges such as `50-10`, `nW`, several `n#k` in one
 * field, `?`, a seconds field at the end) is resolved here; impossible dates (`0 0 31 2 *`)
 * are cron-parser's verdict. `tests/unit/compiler/spec/cron-croniter.test.ts` holds both to the
 * venv's own croniter on a golden table.
 *
 * Refused although croniter takes them, on purpose (each says why): `R` (a random value, drawn
 * anew each time Airflow parses the file, so the schedule drifts), `H` (croniter needs a hash
 * id Airflow never passes, so it fails anyway), `#` on a range or step, `W` before the day,
 * and a 7th (year) field, which croniter 7 mishandles (`0 0 1 1 * 0 2030` never fires).
 */

export interface CronProblem {
  message: string;
  /** 0-based offset in the expression of the text at fault. */
  offset: number;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MINUTE: FieldSpec = { name: 'minute', min: 0, max: 59 };
const HOUR: FieldSpec = { name: 'hour', min: 0, max: 23 };
const DOM: FieldSpec = { name: 'day of month', min: 1, max: 31 };
const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, names: MONTHS };
const DOW: FieldSpec = { name: 'day of week', min: 0, max: 7, names: DAYS };
const SECOND: FieldSpec = { name: 'second', min: 0, max: 59 };
const FIELDS = [MINUTE, HOUR, DOM, MONTH, DOW, SECOND];

/** croniter's own shorthands (Airflow maps @quarterly itself; @once/@continuous are not cron). */
export const CRON_PRESETS: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@quarterly': '0 0 1 */3 *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

/** A cron expression read in croniter's dialect, ready for cron-parser. */
export interface ParsedCron {
  /** Six fields, seconds first, explicit lists: what cron-parser reads. */
  expression: string;
  /** Day matching cron-parser cannot do (`nW`, several `n#k`); undefined when it can. */
  dayFilter?: (year: number, month: number, day: number, weekday: number) => boolean;
}

class Problem extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** The problem with `expression`, or undefined when Airflow would accept it. */
export function checkCron(expression: string): CronProblem | undefined {
  const parsed = parseCron(expression);
  if ('message' in parsed) return parsed;
  try {
    CronExpressionParser.parse(parsed.expression, { currentDate: new Date(0), tz: 'UTC' });
  } catch (err) {
    const days = parsed.expression.split(' ')[3].split(',').join(', ');
    return {
      message: /day of month/i.test((err as Error).message)
        ? `cron expression "${expression}" never fires: no month it names has day ${days}`
        : `cron expression "${expression}": ${(err as Error).message}`,
      offset: 0,
    };
  }
  if (parsed.dayFilter && nextRuns(expression, 'UTC', new Date(0), 1).length === 0) {
    return { message: `cron expression "${expression}" never fires`, offset: 0 };
  }
  return undefined;
}

/** Reads croniter's dialect; a problem carries the offset of the text at fault. */
export function parseCron(expression: string): ParsedCron | CronProblem {
  try {
    return parse(expression);
  } catch (err) {
    if (err instanceof Problem) {
      return { message: `cron expression "${expression}": ${err.message}`, offset: err.offset };
    }
    throw err;
  }
}

function parse(expression: string): ParsedCron {
  // croniter reads its shorthands in any case (@DAILY too).
  const preset = CRON_PRESETS[expression.trim().toLowerCase()];
  if (preset) return parse(preset);
  const fields: { text: string; offset: number }[] = [];
  for (const m of expression.matchAll(/\S+/g)) fields.push({ text: m[0], offset: m.index ?? 0 });
  if (fields.length === 7) {
    throw new Problem(
      "a year field (7 fields) is not supported: Airflow's croniter mishandles it; use 5 fields",
      fields[6].offset,
    );
  }
  if (fields.length !== 5 && fields.length !== 6) {
    throw new Problem(
      `has ${fields.length} fields; it needs 5 (minute hour day-of-month month day-of-week), or 6 with seconds last`,
      0,
    );
  }
  const values = fields.map((f, i) => readField(f.text, f.offset, FIELDS[i]));
  const [minute, hour, dom, month, dow] = values;
  const second = values[5] ?? { numbers: new Set([0]), specials: [], star: false };
  const list = (f: FieldValue) => (f.star ? '*' : [...f.numbers].sort((a, b) => a - b).join(','));
  const dowNumbers = new Set([...dow.numbers].map((d) => d % 7));
  const needFilter = dom.specials.some((s) => s.kind === 'W') || dow.specials.length > 0;
  const domText = dom.star
    ? '*'
    : [list(dom), ...dom.specials.map(() => 'L')].filter(Boolean).join(',');
  const dowText = dow.star ? '*' : [...dowNumbers].sort((a, b) => a - b).join(',');
  if (!needFilter) {
    return {
      expression: [list(second), list(minute), list(hour), domText, list(month), dowText].join(' '),
    };
  }
  // Day matching by hand, with croniter's rule: when both day fields are restricted a day
  // matches either; otherwise the restricted one decides.
  const domMatch = (year: number, mon: number, day: number) =>
    dom.numbers.has(day) ||
    dom.specials.some((s) =>
      s.kind === 'L'
        ? day === daysIn(year, mon)
        : s.kind === 'W' && day === nearestWeekday(year, mon, s.day),
    );
  const dowMatch = (day: number, weekday: number) =>
    dowNumbers.has(weekday) ||
    dow.specials.some(
      (s) => s.kind === '#' && s.weekday === weekday && Math.ceil(day / 7) === s.nth,
    );
  return {
    expression: [list(second), list(minute), list(hour), '*', list(month), '*'].join(' '),
    dayFilter: (year, mon, day, weekday) => {
      // croniter: an "n#k" day of week decides alone; the day of month is then ignored.
      if (dow.specials.length > 0) return dowMatch(day, weekday);
      if (dom.star && dow.star) return true;
      if (dom.star) return dowMatch(day, weekday);
      if (dow.star) return domMatch(year, mon, day);
      return domMatch(year, mon, day) || dowMatch(day, weekday);
    },
  };
}

type Special =
  { kind: 'L' } | { kind: 'W'; day: number } | { kind: '#'; weekday: number; nth: number };

interface FieldValue {
  numbers: Set<number>;
  specials: Special[];
  /** `*` or `?` alone: the field does not restrict. */
  star: boolean;
}

function readField(text: string, offset: number, spec: FieldSpec): FieldValue {
  const out: FieldValue = { numbers: new Set(), specials: [], star: false };
  const lower = text.toLowerCase();
  if (lower === '*' || lower === '?') {
    if (lower === '?' && spec !== DOM && spec !== DOW) {
      throw new Problem(`"?" is allowed only in the day-of-month and day-of-week fields`, offset);
    }
    return { ...out, star: true };
  }
  let at = offset;
  const items = lower.split(',');
  for (const item of items) {
    if (item === '') throw new Problem(`empty list item in ${spec.name} field "${text}"`, at);
    readItem(item, at, spec, text, out);
    at += item.length + 1;
  }
  if (out.specials.some((s) => s.kind === 'W') && items.length > 1) {
    throw new Problem(
      `"W" takes a single day, not a list, in ${spec.name} field "${text}"`,
      offset,
    );
  }
  const nth = out.specials.filter((s) => s.kind === '#').length;
  if (nth > 0 && nth < items.length) {
    throw new Problem(
      `day of week field "${text}" mixes "n#k" with plain days, which croniter refuses`,
      offset,
    );
  }
  return out;
}

function readItem(item: string, at: number, spec: FieldSpec, field: string, out: FieldValue): void {
  if (/^[rh]/.test(item)) {
    throw new Problem(
      item.startsWith('r')
        ? `"R" (random) in ${spec.name} field "${field}" would draw a new value each time Airflow parses the DAG; give a fixed value`
        : `"H" (hashed) in ${spec.name} field "${field}" needs a hash id that Airflow never passes; give a fixed value`,
      at,
    );
  }
  if (spec === DOM && item === 'l') {
    out.specials.push({ kind: 'L' });
    return;
  }
  if (spec === DOM && item.startsWith('l')) {
    throw new Problem(`"L" (the last day) stands alone in day of month field "${field}"`, at);
  }
  if (spec === DOM && /^[0-9]+w$/.test(item)) {
    const day = Number(item.slice(0, -1));
    if (day < 1 || day > 31)
      throw new Problem(`day of month field "${field}": "${item}" is not in 1W-31W`, at);
    out.specials.push({ kind: 'W', day });
    return;
  }
  if (spec === DOW && item.includes('#')) {
    const m = /^([0-9]+|[a-z]{3})#([0-9]+)$/.exec(item);
    if (!m)
      throw new Problem(
        `bad "n#k" in day of week field "${field}"; e.g. 1#2 (the second Monday)`,
        at,
      );
    const weekday = value(m[1], at, spec, field);
    const nth = Number(m[2]);
    if (nth < 1 || nth > 5)
      throw new Problem(
        `day of week field "${field}": "#${m[2]}" is not in #1-#5`,
        at + m[1].length,
      );
    out.specials.push({ kind: '#', weekday: weekday % 7, nth });
    return;
  }
  const parts = item.split('/');
  if (parts.length > 2) throw new Problem(`bad step in ${spec.name} field "${field}"`, at);
  const [range, stepText] = parts;
  let step = 1;
  if (stepText !== undefined) {
    if (!/^[0-9]+$/.test(stepText) || Number(stepText) === 0) {
      throw new Problem(`bad step in ${spec.name} field "${field}"`, at + range.length + 1);
    }
    step = Number(stepText);
  }
  let lo: number;
  let hi: number;
  if (range === '*') {
    [lo, hi] = [spec.min, spec === DOW ? 6 : spec.max];
  } else {
    const bounds = range.split('-');
    if (range.startsWith('-')) {
      throw new Problem(`${spec.name} field "${field}": negative numbers are not allowed`, at);
    }
    if (range === '')
      throw new Problem(
        `a step needs a value or * before "/" in ${spec.name} field "${field}"`,
        at,
      );
    if (bounds.length > 2 || bounds.some((b) => b === '')) {
      throw new Problem(`bad range in ${spec.name} field "${field}"`, at);
    }
    lo = value(bounds[0], at, spec, field);
    hi =
      bounds.length === 2
        ? value(bounds[1], at + bounds[0].length + 1, spec, field)
        : stepText === undefined
          ? lo
          : spec === DOW
            ? 6
            : spec.max;
  }
  // croniter reads a range whose end comes first as wrapping round (50-10 = 50..59, 0..10).
  const span = spec === DOW ? 7 : spec.max - spec.min + 1;
  const count = hi >= lo ? hi - lo : hi - lo + span;
  for (let i = 0; i <= count; i += step) {
    const v = lo + i;
    out.numbers.add(v > (spec === DOW ? 6 : spec.max) && hi < lo ? v - span : v);
  }
}

function value(token: string, at: number, spec: FieldSpec, field: string): number {
  let n: number;
  if (/^[0-9]+$/.test(token)) n = Number(token);
  else {
    const index = spec.names?.indexOf(token) ?? -1;
    if (index < 0) {
      throw new Problem(
        spec.names
          ? `${spec.name} field "${field}": "${token}" is neither a number nor a name (${spec.names[0]}, ${spec.names[1]}, ...)`
          : `${spec.name} field "${field}": "${token}" is not a number`,
        at,
      );
    }
    n = spec === MONTH ? index + 1 : index;
  }
  if (n < spec.min || n > spec.max) {
    throw new Problem(
      `${spec.name} field "${field}": "${token}" is not in ${spec.min}-${spec.max}`,
      at,
    );
  }
  return n;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The weekday nearest to `day` in that month, never crossing into another month (cron's W). */
function nearestWeekday(year: number, month: number, day: number): number {
  const last = daysIn(year, month);
  const d = Math.min(day, last);
  const weekday = new Date(Date.UTC(year, month - 1, d)).getUTCDay();
  if (weekday === 6) return d === 1 ? 3 : d - 1;
  if (weekday === 0) return d === last ? d - 2 : d + 1;
  return d;
}

/**
 * The next `count` times after `after` at which the schedule fires, in `timeZone` (IANA),
 * as instants. A preset is read as its cron expression. Empty when it never fires.
 */
export function nextRuns(schedule: string, timeZone: string, after: Date, count: number): Date[] {
  const parsed = parseCron(schedule);
  // Callers pass schedules that validation accepted: a refusal here is a bug, not bad input.
  if ('message' in parsed) throw new InternalError(`unvalidated schedule: ${parsed.message}`);
  const runs: Date[] = [];
  let cursor = after;
  // Bounded: a day filter skips at most a few years of days before giving up.
  for (let guard = 0; runs.length < count && guard < 5000; guard++) {
    const it = CronExpressionParser.parse(parsed.expression, { currentDate: cursor, tz: timeZone });
    if (!it.hasNext()) break;
    const next = it.next().toDate();
    const local = localParts(next, timeZone);
    if (!parsed.dayFilter || parsed.dayFilter(local.year, local.month, local.day, local.weekday)) {
      runs.push(next);
      cursor = next;
    } else {
      // Skip to the end of that local day, an hour short so a DST change cannot skip a day.
      const toMidnight = ((24 - local.hour) * 60 - local.minute) * 60_000 - local.second * 1000;
      cursor = new Date(next.getTime() + Math.max(60_000, toMidnight - 3_600_000));
    }
  }
  return runs;
}

function localParts(d: Date, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
      weekday: 'short',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday),
  };
}
