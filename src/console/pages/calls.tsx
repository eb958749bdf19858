import { and, eq } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { stream } from "hono/streaming";
import { z } from "zod";
import { calleeParam } from "../../http/admin/callee-param";
import { callConditions } from "../../http/admin/calls";
import { filterSchema } from "../../http/admin/filter-schema";
import { getConfig } from "../../lib/config";
import { csvCutLine, csvLine } from "../../lib/csv";
import { AppError } from "../../lib/errors";
import { maskPhone } from "../../lib/mask";
import type { NormalizedCall } from "../../model/calls/fields";
import { normalizedCallColumns } from "../../model/calls/normalized";
import { type CallPosition, scanCalls } from "../../model/filters/scan";
import type { Filter } from "../../model/filters/validate";
import { recordAudit } from "../../storage/audit-record";
import { getDb } from "../../storage/db/client";
import { inJsonArray } from "../../storage/db/json-ids";
import { calls, sources } from "../../storage/db/schema";
import { DEFAULT_SOURCE } from "../../storage/sources";
import { NextPage } from "../components/next-page";
import { Table } from "../components/table";
import { Time } from "../components/time";
import type { ConsoleEnv } from "../shell/env";
import { zonedMidnight } from "../shell/zoned-date";
import { callPage } from "./call-page";

const PAGE = 50;

const blankToUndefined = (v: unknown) => (v === "" ? undefined : v);

/** The search form's query: every field optional; a blank field is no condition. */
export const callSearch = z.object({
  voiceId: z.preprocess(blankToUndefined, z.string().max(100).optional()),
  phone: z.preprocess(blankToUndefined, z.string().max(40).optional()),
  taskId: z.preprocess(blankToUndefined, z.coerce.number().int().optional()),
  /** Several codes: any of them (`intentCode=302&intentCode=303`, or `302, 303` typed in one box). */
  intentCode: z.array(z.string().max(100)).max(20).default([]),
  connected: z.preprocess(blankToUndefined, z.enum(["yes", "no"]).optional()),
  since: z.preprocess(blankToUndefined, z.iso.date().optional()),
  until: z.preprocess(blankToUndefined, z.iso.date().optional()),
  filter: z.preprocess(blankToUndefined, z.string().max(20_000).optional()),
  cursor: z.preprocess(blankToUndefined, z.coerce.number().int().optional()),
});
type CallSearch = z.output<typeof callSearch>;

/** The search's fields from a query string: one value each, intent codes as many as given. */
export function callQuery(params: URLSearchParams): Record<string, unknown> {
  const intentCode = params
    .getAll("intentCode")
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
  return { ...Object.fromEntries(params), intentCode: [...new Set(intentCode)] };
}

/** The search as SQL conditions plus the filter expression; a bad filter is a 400 naming it. */
async function searchOf(db: ReturnType<typeof getDb>, q: CallSearch, timeZone: string) {
  let filter: Filter | undefined;
  if (q.filter !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(q.filter);
    } catch {
      throw new AppError("validation_failed", "filter: expected JSON", [{ path: "filter", message: "expected JSON" }]);
    }
    const parsed = filterSchema.safeParse(json);
    if (!parsed.success) {
      throw new AppError("validation_failed", `filter: ${parsed.error.issues[0]?.message}`, [
        { path: "filter", message: parsed.error.issues[0]?.message ?? "invalid" },
      ]);
    }
    filter = parsed.data;
  }
  let callee: string | undefined;
  if (q.phone !== undefined) {
    const key = calleeParam.safeParse(q.phone);
    if (!key.success) {
      const message = key.error.issues[0]?.message ?? "invalid";
      throw new AppError("validation_failed", `phone: ${message}`, [{ path: "phone", message }]);
    }
    callee = key.data;
  }
  const conditions = callConditions({
    callee,
    taskId: q.taskId,
    connected: q.connected === undefined ? undefined : q.connected === "yes",
    since: q.since === undefined ? undefined : zonedMidnight(q.since, timeZone),
    until: q.until === undefined ? undefined : zonedMidnight(q.until, timeZone) + 24 * 3600 * 1000,
  });
  let where = conditions.where;
  if (q.voiceId !== undefined) {
    // voiceId is unique per source: look it up on the (source, voiceId) index, one source at a time.
    const known = await db.select({ id: sources.id }).from(sources).limit(1000);
    const ids = [DEFAULT_SOURCE.id, ...known.map((s) => s.id)];
    where = and(where, inJsonArray(calls.sourceId, ids), eq(calls.voiceId, q.voiceId));
  }
  // Several intent codes: compared as the bounded scan walks the calls (no index on intent codes).
  return { where, fields: { ...conditions.fields, intentCodes: q.intentCode }, filter };
}

const csvColumns = Object.keys(normalizedCallColumns) as (keyof NormalizedCall)[];

function SearchForm({ q, t, error }: { q: CallSearch; t: ConsoleEnv["Variables"]["t"]; error?: string }) {
  return (
    <form method="get" action="/calls" class="card search">
      <label>
        {t("voiceId")} <input name="voiceId" value={q.voiceId ?? ""} />
      </label>
      <label>
        {t("phone")}{" "}
        <input name="phone" type="search" inputmode="tel" value={q.phone ?? ""} placeholder={t("phoneHint")} />
      </label>
      <label>
        {t("taskId")} <input name="taskId" inputmode="numeric" value={q.taskId === undefined ? "" : String(q.taskId)} />
      </label>
      <label>
        {t("intentCode")} <input name="intentCode" value={q.intentCode.join(", ")} placeholder="302, 303" />
      </label>
      <label>
        {t("connected")}{" "}
        <select name="connected">
          <option value="">{t("any")}</option>
          <option value="yes" selected={q.connected === "yes"}>
            {t("yes")}
          </option>
          <option value="no" selected={q.connected === "no"}>
            {t("no")}
          </option>
        </select>
      </label>
      <label>
        {t("since")} <input type="date" name="since" value={q.since ?? ""} />
      </label>
      <label>
        {t("until")} <input type="date" name="until" value={q.until ?? ""} />
      </label>
      <label class="wide">
        {t("filterJson")}
        <textarea name="filter" rows={2}>
          {q.filter ?? ""}
        </textarea>
      </label>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit">{t("search")}</button>
    </form>
  );
}

/** The calls a search finds as CSV, up to `CSV_MAX_ROWS`: callee numbers masked unless `reveal` (audit-logged). */
async function exportCalls(c: Context<ConsoleEnv>, reveal: boolean) {
  const q = callSearch.omit({ cursor: true }).parse(callQuery(new URL(c.req.url).searchParams));
  const db = getDb(c.env.DB);
  const { where, fields, filter } = await searchOf(db, q, c.get("timeZone"));
  const cap = getConfig(c.env).csvMaxRows;
  c.header("content-type", "text/csv; charset=utf-8");
  c.header("content-disposition", 'attachment; filename="calls.csv"');
  return stream(c, async (out) => {
    await out.write(csvLine(csvColumns));
    let before: CallPosition | undefined;
    let written = 0;
    for (;;) {
      // One row past the cap tells a cut export from one that ends exactly there.
      const page = await scanCalls(db, { where, fields, filter, limit: Math.min(200, cap - written + 1), before });
      const rows = page.calls.slice(0, cap - written);
      const cells = (call: NormalizedCall) =>
        csvColumns.map((k) => (k === "callee" && !reveal ? maskPhone(call.callee) : call[k]));
      if (rows.length > 0) await out.write(rows.map((call) => csvLine(cells(call))).join(""));
      written += rows.length;
      if (rows.length < page.calls.length) {
        await out.write(csvCutLine(cap));
        break;
      }
      if (page.next === null) break;
      before = page.next;
    }
  });
}

/** `/calls`, `/calls.csv` and `/calls/{sourceId}/{voiceId}`. */
export const callPages = new Hono<ConsoleEnv>()
  .get("/calls", async (c) => {
    const t = c.get("t");
    const parsed = callSearch.safeParse(callQuery(new URL(c.req.url).searchParams));
    const q: CallSearch = parsed.success ? parsed.data : { intentCode: [] };
    const db = getDb(c.env.DB);
    let page: Awaited<ReturnType<typeof scanCalls>> = { calls: [], next: null };
    let error: string | undefined = parsed.success
      ? undefined
      : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    if (!error) {
      try {
        const { where, fields, filter } = await searchOf(db, q, c.get("timeZone"));
        page = await scanCalls(db, {
          fields,
          where,
          filter,
          limit: PAGE,
          before: q.cursor === undefined ? undefined : { id: q.cursor },
        });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        error = err.message;
      }
    }
    const searched = [...new URL(c.req.url).searchParams].some(([k, v]) => k !== "cursor" && v.trim() !== "");
    const csv = new URL(c.req.url);
    csv.pathname = "/calls.csv";
    csv.searchParams.delete("cursor");
    return c.render(
      <>
        <SearchForm q={q} t={t} error={error} />
        <p>
          <a href={`${csv.pathname}${csv.search}`} download>
            {t("exportCsv")}
          </a>{" "}
          <form method="post" action={`${csv.pathname}${csv.search}`} class="inline">
            <button type="submit">{t("exportCsvFull")}</button> <small class="muted">{t("revealAudited")}</small>
          </form>
        </p>
        <Table
          label={t("calls")}
          head={[t("received"), t("voiceId"), t("callee"), t("connected"), t("intent"), t("taskId")]}
          rows={page.calls.map((call) => [
            <Time at={call.receivedAt} />,
            <a href={`/calls/${encodeURIComponent(call.sourceId)}/${encodeURIComponent(call.voiceId)}`}>
              {call.voiceId}
            </a>,
            maskPhone(call.callee),
            call.connected ? t("yes") : t("no"),
            <>
              {call.intentCode} {call.intent}
            </>,
            call.taskId,
          ])}
          empty={searched ? t("noCallsFiltered") : t("noCalls")}
          next={
            searched
              ? [{ href: "/calls", label: t("clearSearch") }]
              : [
                  { href: "/sources", label: t("sources") },
                  { href: "/", label: t("overview") },
                ]
          }
        />
        <NextPage url={c.req.url} cursor={page.next === null ? null : String(page.next.id)} label={t("nextPage")} />
      </>,
      { title: t("calls") },
    );
  })
  .get("/calls.csv", (c) => exportCalls(c, false))
  .post("/calls.csv", async (c) => {
    await recordAudit(c.env.DB, { actor: c.var.actor, action: "calls.export", target: "full callee numbers" });
    return exportCalls(c, true);
  })
  .get("/calls/:sourceId/:voiceId", (c) => callPage(c, false))
  .post("/calls/:sourceId/:voiceId/reveal", async (c) => {
    const target = `${c.req.param("sourceId")}/${c.req.param("voiceId")}`;
    await recordAudit(c.env.DB, { actor: c.var.actor, action: "calls.reveal", target });
    return callPage(c, true);
  });
