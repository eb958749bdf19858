import { z } from "zod";

const clock = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after local midnight of a `HH:MM` time. */
export function minuteOfDay(time: string): number {
  const match = clock.exec(time);
  if (!match) throw new Error(`not a HH:MM time: ${time}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Local hours in which a destination watches for silence: `[from, to)` in minutes of the day; `to < from` spans midnight. */
export interface ActiveHours {
  from: number;
  to: number;
}

/** Reads `09:00-21:00` (or `21:00-06:00`, across midnight). */
export function parseActiveHours(text: string): ActiveHours {
  const [from, to] = text.split("-");
  return { from: minuteOfDay(from ?? ""), to: minuteOfDay(to ?? "") };
}

/** The event settings a destination's `options` may hold, as the admin API takes them. */
export const eventSettingsInput = {
  silentMinutes: z
    .int({ error: "must be a whole number of minutes" })
    .min(5, "must be at least 5 minutes")
    .max(1440, "must be at most 1440 minutes (a day)")
    .optional()
    .describe("`pushes.silent` after this many minutes without a push, within activeHours (default 30)"),
  activeHours: z
    .string({ error: "must be a string such as 09:00-21:00" })
    .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM-HH:MM, such as 09:00-21:00")
    .refine((text) => {
      const [from, to] = text.split("-");
      return from !== to;
    }, "must not start and end at the same time; leave it out to watch all day")
    .optional()
    .describe(
      "Local hours (the destination's timezone) in which silence is reported, e.g. 09:00-21:00; default all day",
    ),
  dropRatio: z
    .number({ error: "must be a number between 0 and 1" })
    .gt(0, "must be above 0")
    .lt(1, "must be below 1")
    .optional()
    .describe("`connect_rate.dropped` when an hour's rate is below this share of its 7-day average (default 0.5)"),
  digestAt: z
    .string({ error: "must be a string such as 09:00" })
    .regex(clock, "must be HH:MM, such as 09:00")
    .optional()
    .describe("Local time of `digest.daily` (the destination's timezone; default 09:00)"),
};

/** A destination's event settings with their defaults. */
export interface EventSettings {
  timezone: string;
  silentMinutes: number;
  activeHours: ActiveHours | null;
  dropRatio: number;
  digestAt: number;
}

/** The event settings in a destination's stored `options`, defaults filled in. */
export function eventSettings(options: Record<string, unknown>): EventSettings {
  const given = z
    .object({ timezone: z.string().catch("Asia/Shanghai"), ...eventSettingsInput })
    .catch({ timezone: "Asia/Shanghai" })
    .parse(options);
  return {
    timezone: given.timezone,
    silentMinutes: given.silentMinutes ?? 30,
    activeHours: given.activeHours ? parseActiveHours(given.activeHours) : null,
    dropRatio: given.dropRatio ?? 0.5,
    digestAt: minuteOfDay(given.digestAt ?? "09:00"),
  };
}
