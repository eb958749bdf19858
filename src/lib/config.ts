import { z } from "zod";
import { isValidTimeZone } from "./format-time";
import { isPlaceholderToken } from "./secret-token.js";

const flag = z
  .string()
  .optional()
  .transform((v) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim()));

const positiveInt = (fallback: number) => z.coerce.number().int().positive().catch(fallback);

const configSchema = z.object({
  MAX_PUSH_BYTES: positiveInt(10 * 1024 * 1024),
  DELIVERY_TIMEOUT_MS: positiveInt(15_000),
  FAST_LANE_TIMEOUT_MS: positiveInt(2_000),
  RAW_RETENTION_DAYS: positiveInt(30),
  CALL_RETENTION_DAYS: positiveInt(365),
  STATS_RETENTION_DAYS: positiveInt(730),
  D1_LIMIT_BYTES: positiveInt(10 * 1000 ** 3),
  DEFAULT_TIMEZONE: z.string().refine(isValidTimeZone).catch("Asia/Shanghai"),
  ALLOW_HTTP_DESTINATIONS: flag,
  PUSH_TOKEN: z.string().optional(),
  ADMIN_TOKEN: z.string().optional(),
  PLATFORM_API_KEY: z.string().optional(),
  PLATFORM_API_SECRET: z.string().optional(),
  PLATFORM_API_BASE: z.url().catch("https://api.laaffic.com"),
  RECORDING_LINK_DAYS: positiveInt(7),
  PUBLIC_URL: z.url().optional().catch(undefined),
  ACCESS_TEAM_DOMAIN: z.string().optional(),
  ACCESS_AUD: z.string().optional(),
});

/** Runtime settings read from the Worker's vars and secrets, with defaults. */
export type Config = {
  maxPushBytes: number;
  deliveryTimeoutMs: number;
  /** How long a first attempt waits in the fast lane before its destination is moved to the slow lane. */
  fastLaneTimeoutMs: number;
  rawRetentionDays: number;
  callRetentionDays: number;
  statsRetentionDays: number;
  d1LimitBytes: number;
  defaultTimezone: string;
  allowHttpDestinations: boolean;
  /** `PUSH_TOKEN`; undefined when unset or still a placeholder (see `placeholderTokens`). */
  pushToken: string | undefined;
  /** `ADMIN_TOKEN`; undefined when unset or still a placeholder (see `placeholderTokens`). */
  adminToken: string | undefined;
  /** The tokens set to a `.dev.vars.example` placeholder: refused, so a deployment left as it is stays closed. */
  placeholderTokens: ("ADMIN_TOKEN" | "PUSH_TOKEN")[];
  /** The voice platform's API, for fresh recording URLs; `undefined` without credentials (then no recording links). */
  platformApi: { key: string; secret: string; base: string } | undefined;
  recordingLinkDays: number;
  /** Where this Worker is reached, for links in messages (`https://relay.example.com`). */
  publicUrl: string | undefined;
  /** Cloudflare Access in front of the console: the team's origin and the application's audience tag. */
  access: { teamDomain: string; aud: string } | undefined;
};

const cache = new WeakMap<object, Config>();

/** Parses (once per env object) the settings the Worker runs with. */
export function getConfig(env: Partial<Record<keyof z.input<typeof configSchema>, string>>): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const v = configSchema.parse(env);
  const config: Config = {
    maxPushBytes: v.MAX_PUSH_BYTES,
    deliveryTimeoutMs: v.DELIVERY_TIMEOUT_MS,
    fastLaneTimeoutMs: Math.min(v.FAST_LANE_TIMEOUT_MS, v.DELIVERY_TIMEOUT_MS),
    rawRetentionDays: v.RAW_RETENTION_DAYS,
    callRetentionDays: v.CALL_RETENTION_DAYS,
    statsRetentionDays: v.STATS_RETENTION_DAYS,
    d1LimitBytes: v.D1_LIMIT_BYTES,
    defaultTimezone: v.DEFAULT_TIMEZONE,
    allowHttpDestinations: v.ALLOW_HTTP_DESTINATIONS,
    pushToken: usableToken(v.PUSH_TOKEN),
    adminToken: usableToken(v.ADMIN_TOKEN),
    placeholderTokens: (["ADMIN_TOKEN", "PUSH_TOKEN"] as const).filter((name) => isPlaceholderToken(v[name])),
    platformApi:
      v.PLATFORM_API_KEY && v.PLATFORM_API_SECRET
        ? { key: v.PLATFORM_API_KEY, secret: v.PLATFORM_API_SECRET, base: v.PLATFORM_API_BASE.replace(/\/+$/, "") }
        : undefined,
    recordingLinkDays: v.RECORDING_LINK_DAYS,
    publicUrl: v.PUBLIC_URL?.replace(/\/+$/, ""),
    access:
      v.ACCESS_TEAM_DOMAIN && v.ACCESS_AUD
        ? { teamDomain: teamOrigin(v.ACCESS_TEAM_DOMAIN), aud: v.ACCESS_AUD }
        : undefined,
  };
  cache.set(env, config);
  return config;
}

/** A token as the Worker uses it: unset, empty and placeholder tokens are none. */
const usableToken = (value: string | undefined) => (value && !isPlaceholderToken(value) ? value : undefined);

/** `myteam.cloudflareaccess.com` or a URL of it, as an origin. */
function teamOrigin(domain: string): string {
  const trimmed = domain.trim().replace(/\/+$/, "");
  return /^https?:\/\//.test(trimmed) ? new URL(trimmed).origin : `https://${trimmed}`;
}
