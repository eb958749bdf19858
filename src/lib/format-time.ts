const formatters = new Map<string, Intl.DateTimeFormat>();

function createFormatter(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
}

/** A cached `Intl.DateTimeFormat` of every date and time part in `timeZone`; undefined for an unknown zone. */
export function formatterFor(timeZone: string): Intl.DateTimeFormat | undefined {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = createFormatter(timeZone);
    } catch {
      return undefined;
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

const utcFormatter = createFormatter("UTC");

/** Whether `timeZone` is an IANA time zone name the runtime knows, e.g. `Asia/Shanghai`. */
export function isValidTimeZone(timeZone: string): boolean {
  return formatterFor(timeZone) !== undefined;
}

/**
 * An epoch-ms instant as wall-clock time in `timeZone`, e.g. `2026-03-26 15:22:28 (Asia/Shanghai)`.
 * An unknown time zone falls back to UTC, so a message still goes out.
 */
export function formatInstant(epochMs: number, timeZone: string): string {
  const { zone, parts } = wallClock(epochMs, timeZone);
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} (${zone})`;
}

/** The wall-clock parts (two-digit strings; 24-hour) of an instant in `timeZone`, or in UTC when it is unknown. */
export function wallClock(epochMs: number, timeZone: string) {
  const known = formatterFor(timeZone);
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of (known ?? utcFormatter).formatToParts(epochMs)) parts[part.type] = part.value;
  return { zone: known ? timeZone : "UTC", parts };
}

const durationUnits = {
  en: { h: "h ", m: "m ", s: "s" },
  zh: { h: "小时", m: "分", s: "秒" },
} as const;

/** A duration in whole seconds, e.g. `35s`, `2m 05s`, `1h 02m 05s` (`en`) or `35秒`, `2分05秒`, `1小时02分05秒` (`zh`). */
export function formatDuration(seconds: number, locale: "en" | "zh"): string {
  const units = durationUnits[locale];
  const total = Number.isFinite(seconds) ? Math.max(0, Math.floor(seconds)) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${h}${units.h}${pad(m)}${units.m}${pad(s)}${units.s}`;
  if (m > 0) return `${m}${units.m}${pad(s)}${units.s}`;
  return `${s}${units.s}`;
}
