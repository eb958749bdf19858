import { z } from "zod";

const flag = z
  .string()
  .optional()
  .transform((v) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim()));

const positiveInt = (fallback: number) => z.coerce.number().int().positive().catch(fallback);

const configSchema = z.object({
  MAX_PUSH_BYTES: positiveInt(10 * 1024 * 1024),
  DELIVERY_TIMEOUT_MS: positiveInt(15_000),
  RAW_RETENTION_DAYS: positiveInt(30),
  CALL_RETENTION_DAYS: positiveInt(365),
  ALLOW_HTTP_DESTINATIONS: flag,
  PUSH_TOKEN: z.string().optional(),
  ADMIN_TOKEN: z.string().optional(),
  ACCESS_TEAM_DOMAIN: z.string().optional(),
  ACCESS_AUD: z.string().optional(),
  DEFAULT_TIMEZONE: z.string().optional(),
});

/** Runtime settings read from the Worker's vars and secrets, with defaults. */
export type Config = {
  maxPushBytes: number;
  deliveryTimeoutMs: number;
  rawRetentionDays: number;
  callRetentionDays: number;
  allowHttpDestinations: boolean;
  pushToken: string | undefined;
  adminToken: string | undefined;
  /** Cloudflare Access in front of the console: the team's origin and the application's audience tag. */
  access: { teamDomain: string; aud: string } | undefined;
  defaultTimeZone: string;
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
    rawRetentionDays: v.RAW_RETENTION_DAYS,
    callRetentionDays: v.CALL_RETENTION_DAYS,
    allowHttpDestinations: v.ALLOW_HTTP_DESTINATIONS,
    pushToken: v.PUSH_TOKEN || undefined,
    adminToken: v.ADMIN_TOKEN || undefined,
    access:
      v.ACCESS_TEAM_DOMAIN && v.ACCESS_AUD
        ? { teamDomain: teamOrigin(v.ACCESS_TEAM_DOMAIN), aud: v.ACCESS_AUD }
        : undefined,
    defaultTimeZone: v.DEFAULT_TIMEZONE || "Asia/Shanghai",
  };
  cache.set(env, config);
  return config;
}

/** `myteam.cloudflareaccess.com` or a URL of it, as an origin. */
function teamOrigin(domain: string): string {
  const trimmed = domain.trim().replace(/\/+$/, "");
  return /^https?:\/\//.test(trimmed) ? new URL(trimmed).origin : `https://${trimmed}`;
}
