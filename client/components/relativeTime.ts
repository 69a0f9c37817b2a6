const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];

/**
 * "4 minutes ago", "in 26 minutes", "just now": a timestamp relative to `now`, in the person's language.
 * @example relativeTime("2026-11-02T10:00:00Z", Date.parse("2026-11-02T10:04:10Z")) // "4 minutes ago"
 */
export function relativeTime(iso: string, now: number, locale?: string): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  if (Number.isNaN(seconds)) return "unknown";
  if (Math.abs(seconds) < 60) return seconds <= 0 ? "just now" : "in less than a minute";
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.trunc(seconds / size), unit);
  }
  return format.format(Math.trunc(seconds / 60), "minute");
}

/** The exact time for a tooltip, e.g. "2 Nov 2026, 10:04". */
export function exactTime(iso: string, locale?: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
}
