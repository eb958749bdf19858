import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { getConfig } from "../../lib/config";
import { errorResponse, jsonContent } from "../../lib/openapi";
import { assertWindow, resolveWindow, timezoneParam, windowBoundParam } from "../../lib/time-window";
import { validationError, validationHook } from "../../lib/validation";
import type { Filter } from "../../model/filters/validate";
import { campaignFigures, campaignFilterFields, campaignFilterProblem } from "../../model/stats/campaign";
import { readCampaignGroups } from "../../model/stats/campaign-read";
import { coveringHours } from "../../model/stats/series";
import type { Db } from "../../storage/db/client";
import { getDb } from "../../storage/db/client";
import { hourStart } from "../../storage/hours";
import type { AppEnv } from "../app-env";
import { filterJsonParam } from "./filter-schema";

const DAY_MS = 24 * 3600 * 1000;
/** Longest window one request may aggregate over (as `GET /stats`). */
const MAX_WINDOW_DAYS = 400;
/** Most tasks in one answer, busiest first. */
export const TOP_TASKS = 100;

const money = z.string().openapi({ description: "A decimal amount in `currency`", example: "12.5" });

const campaignQuery = z
  .object({
    since: windowBoundParam
      .optional()
      .openapi({ description: "Window start, inclusive (default: 24 h before `until`)" }),
    until: windowBoundParam.optional().openapi({ description: "Window end, exclusive (default: now)" }),
    timezone: timezoneParam.optional(),
    sourceId: z.string().min(1).max(100).optional(),
    filter: filterJsonParam.optional().openapi({
      type: "string",
      description: `A filter expression as JSON (the README's Filters section) on ${campaignFilterFields.join(", ")} only: those are kept in the rollups, so the answer is exact; a filter on another field answers 400`,
      example: '{"intentCode":{"$in":["302","303"]}}',
    }),
  })
  .strict();

const currencyCost = z.object({
  currency: z.string().openapi({ description: "The quote currency (USD when the vendor sent none)" }),
  calls: z.number().int(),
  connected: z.number().int(),
  line: money.openapi({ description: "Line cost (`cost`)" }),
  aiAgent: money.openapi({ description: "AI-agent cost (`aiAgentQuoteFee`)" }),
  total: money,
  perConnectedCall: money.nullable().openapi({ description: "total / connected; null without connected calls" }),
  matching: z
    .object({
      calls: z.number().int(),
      total: money.openapi({ description: "The matching calls' own cost" }),
      perMatchingCall: money.nullable().openapi({ description: "Their cost / their count" }),
      spendPerMatchingCall: money.nullable().openapi({ description: "All of the currency's cost / matching calls" }),
    })
    .nullable()
    .openapi({ description: "With `filter` only" }),
});

const taskFigures = z.object({
  taskId: z.number().int().nullable(),
  calls: z.number().int(),
  connected: z.number().int(),
  connectRate: z.number().nullable(),
  intents: z.array(z.object({ intentCode: z.string().nullable(), calls: z.number().int() })),
  talkSeconds: z.number().int().openapi({ description: "Seconds talked (`callDuration`) on connected calls" }),
  averageTalkSeconds: z.number().int().nullable().openapi({ description: "talkSeconds / connected" }),
  chargedSeconds: z.number().int().openapi({ description: "Line billed seconds (`chargedDuration`)" }),
  chargedMinutes: z.number(),
  aiChargedSeconds: z.number().int().openapi({ description: "AI-agent billed seconds" }),
  costs: z.array(currencyCost).openapi({ description: "One entry per quote currency, never added across them" }),
  matching: z.object({ calls: z.number().int(), connected: z.number().int() }).nullable(),
});

const campaignOutput = z
  .object({
    window: z.object({ since: z.string(), until: z.string(), timezone: z.string() }),
    filter: z.record(z.string(), z.unknown()).nullable(),
    countedSince: z.string().nullable().openapi({
      description:
        "Set while the background job task_cost_rollups_backfill still counts the calls stored before the upgrade: until then only calls stored from this instant on are sure to be counted; null when every call is",
    }),
    tasks: z.array(taskFigures),
  })
  .openapi("TaskStats");

/** The campaign view of `GET /stats/tasks` and the console's Campaigns page, read from the task cost rollups. */
export async function computeTaskStats(
  db: Db,
  q: { since: number; until: number; sourceId?: string; timeZone: string; filter: Filter | null },
) {
  const hours = coveringHours(q.since, q.until);
  const { groups, countedSince } = await readCampaignGroups(db, {
    ...hours,
    sourceIds: q.sourceId === undefined ? [] : [q.sourceId],
  });
  return {
    window: {
      since: new Date(hourStart(hours.firstHour)).toISOString(),
      until: new Date(hourStart(hours.endHour)).toISOString(),
      timezone: q.timeZone,
    },
    filter: q.filter,
    countedSince: countedSince === null ? null : new Date(countedSince).toISOString(),
    tasks: campaignFigures(groups, q.filter, TOP_TASKS),
  };
}

/** The window of a campaign query, checked: default the last 24 h, at most {@link MAX_WINDOW_DAYS} days. */
export function campaignWindow(
  q: { since?: z.infer<typeof windowBoundParam>; until?: z.infer<typeof windowBoundParam> },
  timeZone: string,
) {
  const bounds = resolveWindow(q, timeZone);
  const until = bounds.until ?? Date.now();
  const since = bounds.since ?? until - DAY_MS;
  assertWindow(since, until, bounds.until !== undefined);
  if (until - since > MAX_WINDOW_DAYS * DAY_MS) {
    throw validationError([{ path: "since", message: `the window is longer than ${MAX_WINDOW_DAYS} days` }]);
  }
  return { since, until };
}

/** A filter a campaign can answer from its rollups; anything else is a 400 at `filter`. */
export function campaignFilter(filter: Filter | undefined): Filter | null {
  if (filter === undefined) return null;
  const problem = campaignFilterProblem(filter);
  if (problem) throw validationError([{ path: "filter", message: problem }]);
  return filter;
}

/** `/api/v1/stats/tasks`: the campaign view. */
export const statsTaskRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: "get",
    path: "/",
    summary: "Per task: calls, connect rate, intents, talk time, billed minutes and cost",
    description: `Read from hourly task cost rollups kept in each push's batch, never from the calls, so the cost depends on the window and the number of tasks, not on how many calls there are. Calls count by their own time; the window is widened to whole hours (UTC); local dates are read in \`timezone\`. Default window: the last 24 h; at most ${MAX_WINDOW_DAYS} days. The ${TOP_TASKS} busiest tasks. Money is summed exactly in millionths of the quote currency and shown as decimal strings, one entry per currency. \`filter\` may use ${campaignFilterFields.join(", ")} (the rollups' key): any other field answers 400, since it would need every call of the window read. Calls stored before the rollup was added are counted by a background job after the upgrade (\`countedSince\` is set until it is done).`,
    request: { query: campaignQuery },
    responses: { 200: jsonContent(campaignOutput, "The tasks"), 400: errorResponse },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const timeZone = q.timezone ?? getConfig(c.env).defaultTimezone;
    const filter = campaignFilter(q.filter);
    const window = campaignWindow(q, timeZone);
    return c.json(await computeTaskStats(getDb(c.env.DB), { ...window, sourceId: q.sourceId, timeZone, filter }), 200);
  },
);
