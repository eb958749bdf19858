import { Hono } from "hono";
import { z } from "zod";
import { filterSchema } from "../../http/admin/filter-schema";
import { campaignFilter, campaignWindow, computeTaskStats } from "../../http/admin/stats-tasks";
import { AppError } from "../../lib/errors";
import { formatClock, formatMoney } from "../../lib/format-amounts";
import { windowBoundParam } from "../../lib/time-window";
import type { Filter } from "../../model/filters/validate";
import { campaignFilterFields } from "../../model/stats/campaign";
import { getDb } from "../../storage/db/client";
import { Table } from "../components/table";
import { Time } from "../components/time";
import type { ConsoleEnv } from "../shell/env";
import { startOfDay } from "../shell/zoned-date";

const DAY_MS = 24 * 3600 * 1000;

const words = {
  en: {
    title: "Campaigns",
    since: "From",
    until: "Until (exclusive)",
    intents: "Cost per call with intent codes",
    intentsHint: "e.g. 302,303",
    filter: "or a filter (JSON)",
    filterHint: `on ${campaignFilterFields.join(", ")}`,
    show: "Show",
    task: "Task",
    none: "none",
    calls: "Calls",
    connected: "Connected",
    intentsCol: "Intents",
    avgTalk: "Average talk time",
    chargedMinutes: "Charged minutes",
    line: "Line cost",
    aiAgent: "AI-agent cost",
    total: "Total",
    perConnected: "Per connected call",
    matching: "Matching calls",
    perMatching: "Per matching call",
    spendPerMatching: "All cost per matching call",
    empty: "No calls in this window. Widen the window, or check that pushes arrive.",
    pushes: "Pushes",
    countedSince: "Calls stored before the upgrade are still being counted; counted for sure: calls stored since",
    window: "Window",
  },
  zh: {
    title: "活动",
    since: "开始",
    until: "结束（不含）",
    intents: "按意向码计算单通成本",
    intentsHint: "例如 302,303",
    filter: "或过滤条件（JSON）",
    filterHint: `可用字段：${campaignFilterFields.join("、")}`,
    show: "查看",
    task: "任务",
    none: "无",
    calls: "通话数",
    connected: "接通",
    intentsCol: "意向",
    avgTalk: "平均通话时长",
    chargedMinutes: "计费分钟",
    line: "线路费用",
    aiAgent: "AI 坐席费用",
    total: "合计",
    perConnected: "每通接通成本",
    matching: "符合条件的通话",
    perMatching: "每通符合条件通话的成本",
    spendPerMatching: "总费用 / 符合条件的通话",
    empty: "此时间范围内没有通话。请扩大时间范围，或确认推送是否到达。",
    pushes: "推送",
    countedSince: "升级前存储的通话仍在统计中；已确定统计：此时起存储的通话",
    window: "时间范围",
  },
} as const;

const blankAsAbsent = (v: unknown) => (v === "" ? undefined : v);

const pageQuery = z.object({
  since: z.preprocess(blankAsAbsent, windowBoundParam.optional()),
  until: z.preprocess(blankAsAbsent, windowBoundParam.optional()),
  intent: z.preprocess(blankAsAbsent, z.string().max(500).optional()),
  filter: z.preprocess(blankAsAbsent, z.string().max(4000).optional()),
});

/** The page's filter: intent codes (`302,303`) and a JSON filter, both when both are given. */
function pageFilter(intent: string | undefined, text: string | undefined): Filter | undefined {
  const parts: Filter[] = [];
  const codes = intent
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (codes?.length) parts.push({ intentCode: { $in: codes } });
  if (text !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new AppError("validation_failed", `filter: is not JSON: ${(err as Error).message}`);
    }
    const parsed = filterSchema.safeParse(json);
    if (!parsed.success) throw new AppError("validation_failed", `filter: ${parsed.error.issues[0]?.message}`);
    parts.push(parsed.data);
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { $and: parts };
}

/** `/campaigns`: per task over a window, from the task cost rollups (as `GET /api/v1/stats/tasks`). */
export const campaignPages = new Hono<ConsoleEnv>().get("/campaigns", async (c) => {
  const lang = c.get("lang");
  const w = words[lang];
  const timeZone = c.get("timeZone");
  const q = pageQuery.safeParse(c.req.query());
  const raw = { since: c.req.query("since") ?? "", until: c.req.query("until") ?? "" };
  let problem: string | null = null;
  let stats: Awaited<ReturnType<typeof computeTaskStats>> | null = null;
  try {
    if (!q.success)
      throw new AppError(
        "validation_failed",
        q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
      );
    const now = Date.now();
    const since = q.data.since ?? { instant: startOfDay(now, timeZone) - 6 * DAY_MS };
    const window = campaignWindow({ since, until: q.data.until }, timeZone);
    const filter = campaignFilter(pageFilter(q.data.intent, q.data.filter));
    stats = await computeTaskStats(getDb(c.env.DB), { ...window, timeZone, filter });
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    const details = err.details as { message: string }[] | undefined;
    problem = details?.[0]?.message ?? err.message;
  }
  const filtered = stats?.filter != null;
  const money = (amount: string | null | undefined, currency: string) =>
    amount == null ? "—" : formatMoney(amount, currency, lang);
  const rows =
    stats?.tasks.flatMap((task) =>
      (task.costs.length ? task.costs : [null]).map((cost, n) => {
        const first = n === 0;
        const currency = cost?.currency ?? "USD";
        return [
          first ? (task.taskId === null ? w.none : String(task.taskId)) : "",
          first ? task.calls : "",
          first
            ? `${task.connected} (${task.connectRate === null ? "—" : `${(task.connectRate * 100).toFixed(1)}%`})`
            : "",
          first
            ? task.intents
                .slice(0, 5)
                .map((i) => `${i.intentCode ?? w.none} × ${i.calls}`)
                .join(", ")
            : "",
          first ? (task.averageTalkSeconds === null ? "—" : formatClock(task.averageTalkSeconds)) : "",
          first ? task.chargedMinutes : "",
          money(cost?.line, currency),
          money(cost?.aiAgent, currency),
          money(cost?.total, currency),
          money(cost?.perConnectedCall, currency),
          ...(filtered
            ? [
                cost?.matching?.calls ?? 0,
                money(cost?.matching?.perMatchingCall, currency),
                money(cost?.matching?.spendPerMatchingCall, currency),
              ]
            : []),
        ];
      }),
    ) ?? [];
  return c.render(
    <>
      <form method="get" action="/campaigns" class="card filters">
        <label>
          {w.since} <input type="date" name="since" value={raw.since} />
        </label>
        <label>
          {w.until} <input type="date" name="until" value={raw.until} />
        </label>
        <label>
          {w.intents}{" "}
          <input type="text" name="intent" value={c.req.query("intent") ?? ""} placeholder={w.intentsHint} />
        </label>
        <label>
          {w.filter} <input type="text" name="filter" value={c.req.query("filter") ?? ""} placeholder={w.filterHint} />
        </label>
        <button type="submit">{w.show}</button>
      </form>
      {problem !== null && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      {stats && (
        <>
          <p>
            {w.window}: <Time at={stats.window.since} /> – <Time at={stats.window.until} />
            {stats.countedSince && (
              <>
                {" · "}
                {w.countedSince} <Time at={stats.countedSince} />
              </>
            )}
          </p>
          <Table
            label={w.title}
            head={[
              w.task,
              w.calls,
              w.connected,
              w.intentsCol,
              w.avgTalk,
              w.chargedMinutes,
              w.line,
              w.aiAgent,
              w.total,
              w.perConnected,
              ...(filtered ? [w.matching, w.perMatching, w.spendPerMatching] : []),
            ]}
            rows={rows}
            empty={w.empty}
            next={[{ href: "/pushes", label: w.pushes }]}
          />
        </>
      )}
    </>,
    { title: w.title },
  );
});
