/**
 * The datetime macros of the FastCMS/PocketBase filter language, resolved to ISO-8601 UTC
 * strings (`2024-05-01T00:00:00.000Z`) against a clock. All calendar boundaries are UTC.
 */
import { own } from "../lib/own.ts";

const SECOND = 1000;
const UNIT_MS: Record<string, number> = {
  second: SECOND,
  minute: 60 * SECOND,
  hour: 3600 * SECOND,
  day: 86400 * SECOND,
  week: 7 * 86400 * SECOND,
};
const DAY = UNIT_MS.day!;

type Fixed = (now: Date) => number;

const dayStart = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());

const FIXED: Record<string, Fixed> = {
  now: (d) => d.getTime(),
  today: dayStart,
  todaystart: dayStart,
  todayend: (d) => dayStart(d) + DAY - 1,
  yesterday: (d) => dayStart(d) - DAY,
  tomorrow: (d) => dayStart(d) + DAY,
  monthstart: (d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
  monthend: (d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 1,
  yearstart: (d) => Date.UTC(d.getUTCFullYear(), 0, 1),
  yearend: (d) => Date.UTC(d.getUTCFullYear() + 1, 0, 1) - 1,
};

const RELATIVE = /^(second|minute|hour|day|week|month|year)(?:([+-])(\d{1,7}))?$/;

/** Adds `months` calendar months, clamping the day (Jan 31 + 1 month = Feb 28/29). */
function addMonths(d: Date, months: number): number {
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const out = new Date(d.getTime());
  out.setUTCFullYear(year, month, Math.min(d.getUTCDate(), lastDay));
  return out.getTime();
}

/**
 * Resolves a macro name (without `@`, case-insensitive): `now`, `today` (= `todayStart`),
 * `todayEnd`, `yesterday`/`tomorrow` (start of that day), `monthStart`, `monthEnd`,
 * `yearStart`, `yearEnd` (ends are the last millisecond), and `second|minute|hour|day|week|month|year`
 * with an optional `+N`/`-N`: now shifted by N units (months and years are calendar steps).
 * Returns `undefined` for an unknown name and `null` when the result is outside years 0000–9999.
 * @example resolveMacro("day-7", new Date("2024-05-10T12:00:00Z")) // "2024-05-03T12:00:00.000Z"
 */
export function resolveMacro(name: string, now: Date): string | null | undefined {
  const lower = name.toLowerCase();
  let ms: number;
  const fixed = own(FIXED, lower);
  if (fixed) {
    ms = fixed(now);
  } else {
    const m = RELATIVE.exec(lower);
    if (!m) return undefined;
    const unit = m[1]!;
    const n = m[2] ? Number(m[3]) * (m[2] === "-" ? -1 : 1) : 0;
    if (unit === "month" || unit === "year") ms = addMonths(now, unit === "year" ? n * 12 : n);
    else ms = now.getTime() + n * own(UNIT_MS, unit)!;
  }
  const year = new Date(ms).getUTCFullYear();
  if (!Number.isFinite(ms) || year < 0 || year > 9999) return null;
  return new Date(ms).toISOString();
}
