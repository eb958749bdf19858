import { z } from "zod";

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
  ALLOW_HTTP_DESTINATIONS: flag,
  PUSH_TOKEN: z.string().optional(),
  ADMIN_TOKEN: z.string().optional(),
});

/** Runtime settings read from the Worker's vars and secrets, with defaults. */
export type Config = {
  maxPushBytes: number;
  deliveryTimeoutMs: number;
  /** How long a first attempt waits in the fast lane before its destination is moved to the slow lane. */
  fastLaneTimeoutMs: number;
  rawRetentionDays: number;
  callRetentionDays: number;
  allowHttpDestinations: boolean;
  pushToken: string | undefined;
  adminToken: string | undefined;
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
    allowHttpDestinations: v.ALLOW_HTTP_DESTINATIONS,
    pushToken: v.PUSH_TOKEN || undefined,
    adminToken: v.ADMIN_TOKEN || undefined,
  };
  cache.set(env, config);
  return config;
}
