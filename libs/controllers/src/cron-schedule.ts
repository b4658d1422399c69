// Standard 5-field cron schedules (minute hour day-of-month month day-of-week), evaluated in UTC:
// lists, ranges, steps, `*`, month and weekday names, `?` as `*`, 7 as Sunday, and the @macros.
// As in cron (and Kubernetes), when both day fields are restricted a day matches either of them.

export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  domRestricted: boolean;
  dowRestricted: boolean;
}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export class CronError extends Error {}

function parseValue(s: string, min: number, max: number, names?: string[], nameBase = 0): number {
  const lower = s.toLowerCase();
  if (names) {
    const i = names.indexOf(lower);
    if (i >= 0) return i + nameBase;
  }
  if (!/^\d+$/.test(s)) throw new CronError(`"${s}" is not a number${names ? ' or a name' : ''}`);
  const n = Number(s);
  if (n < min || n > max) throw new CronError(`${n} is out of range ${min}-${max}`);
  return n;
}

function parseField(field: string, min: number, max: number, names?: string[], nameBase = 0): { values: Set<number>; restricted: boolean } {
  const values = new Set<number>();
  let restricted = true;
  for (const part of field.split(',')) {
    if (part === '') throw new CronError(`empty list item in "${field}"`);
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : parseValue(stepText, 1, max - min + 1);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = min;
      hi = max;
      if (stepText === undefined) restricted = false;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      lo = parseValue(a, min, max, names, nameBase);
      hi = parseValue(b, min, max, names, nameBase);
      if (hi < lo) throw new CronError(`range ${range} is backwards`);
    } else {
      lo = parseValue(range, min, max, names, nameBase);
      hi = stepText === undefined ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, restricted };
}

export function parseCron(spec: string): CronSchedule {
  const text = spec.trim();
  if (text.startsWith('TZ=') || text.startsWith('CRON_TZ=')) throw new CronError('time zones in the schedule are not supported; use spec.timeZone');
  const expanded = MACROS[text.toLowerCase()] ?? text;
  const fields = expanded.split(/\s+/);
  if (fields.length !== 5) throw new CronError(`expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`);
  const minutes = parseField(fields[0], 0, 59);
  const hours = parseField(fields[1], 0, 23);
  const dom = parseField(fields[2], 1, 31);
  const months = parseField(fields[3], 1, 12, MONTH_NAMES, 1);
  const dow = parseField(fields[4], 0, 7, DAY_NAMES, 0);
  if (dow.values.has(7)) {
    dow.values.delete(7);
    dow.values.add(0);
  }
  return {
    minutes: minutes.values,
    hours: hours.values,
    daysOfMonth: dom.values,
    months: months.values,
    daysOfWeek: dow.values,
    domRestricted: dom.restricted,
    dowRestricted: dow.restricted,
  };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const dom = s.daysOfMonth.has(d.getUTCDate());
  const dow = s.daysOfWeek.has(d.getUTCDay());
  if (s.domRestricted && s.dowRestricted) return dom || dow;
  return dom && dow;
}

/** The first scheduled minute strictly after `after` (UTC), or undefined if none within 5 years. */
export function nextAfter(s: CronSchedule, after: Date): Date | undefined {
  const t = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  const limit = after.getTime() + 5 * 366 * 86_400_000;
  while (t.getTime() <= limit) {
    if (!s.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(s, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!s.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return t;
  }
  return undefined;
}

/**
 * The latest scheduled time in (since, now], and how many were missed in between (Kubernetes gives up
 * counting past 100 and starts only the latest).
 */
export function mostRecent(s: CronSchedule, since: Date, now: Date): { time: Date | undefined; missed: number } {
  let time: Date | undefined;
  let missed = 0;
  let t = nextAfter(s, since);
  while (t && t.getTime() <= now.getTime()) {
    time = t;
    missed++;
    if (missed > 100) {
      // Jump close to now: look back from a minute before now.
      const back = nextAfter(s, new Date(now.getTime() - 61 * 60_000 * 24 * 31));
      t = back && back.getTime() > t.getTime() ? back : nextAfter(s, t);
      continue;
    }
    t = nextAfter(s, t);
  }
  return { time, missed };
}
