/**
 * The one ISO-8601 date/date-time parser: record values, schema-change conversions and filter
 * literals all accept exactly the same strings.
 */

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Parsed ISO-8601 instant (UTC) and whether it carried a time part. */
export interface ParsedIso {
  date: Date;
  hasTime: boolean;
}

/**
 * Strict ISO-8601 parser: `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fff]]` and `Z` or
 * `±HH:MM`. A time without zone is UTC (never local time). Returns null for anything else,
 * including impossible calendar dates (`2024-02-30`).
 */
export function parseIso(value: string): ParsedIso | null {
  const m = ISO_RE.exec(value);
  if (!m) return null;
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "", zone = "Z"] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  // year 0 is valid ISO but not a PostgreSQL date; both databases must accept what we accept
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const instant = new Date(Date.UTC(2000, month - 1, day, Number(h), Number(mi), Number(s), ms));
  instant.setUTCFullYear(year, month - 1, day); // Date.UTC maps years 0-99 to 1900-1999
  let t = instant.getTime();
  if (zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const [zh, zm] = zone.slice(1).split(":").map(Number) as [number, number];
    if (zh > 15 || zm > 59) return null;
    t -= sign * (zh * 60 + zm) * 60_000;
  }
  return { date: new Date(t), hasTime: m[4] !== undefined };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
