import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { stream } from "hono/streaming";
import { z } from "zod";
import { calleeParam } from "../../http/admin/callee-param";
import { callConditions, getCallDetail } from "../../http/admin/calls";
import { explainCall } from "../../http/admin/calls-explain";
import { filterSchema } from "../../http/admin/filter-schema";
import { AppError } from "../../lib/errors";
import { callFieldDocs } from "../../model/calls/field-docs";
import type { NormalizedCall } from "../../model/calls/fields";
import { normalizedCallColumns } from "../../model/calls/normalized";
import { type CallPosition, scanCalls } from "../../model/filters/scan";
import type { Filter } from "../../model/filters/validate";
import { getDb } from "../../storage/db/client";
import { inJsonArray } from "../../storage/db/json-ids";
import { calls, sources } from "../../storage/db/schema";
import { DEFAULT_SOURCE } from "../../storage/sources";
import { DocText } from "../components/doc-text";
import { NextPage } from "../components/next-page";
import { Table } from "../components/table";
import { Time } from "../components/time";
import type { ConsoleEnv } from "../shell/env";
import { zonedMidnight } from "../shell/zoned-date";

const PAGE = 50;

const blankToUndefined = (v: unknown) => (v === "" ? undefined : v);

/** The search form's query: every field optional; a blank field is no condition. */
export const callSearch = z.object({
  voiceId: z.preprocess(blankToUndefined, z.string().max(100).optional()),
  phone: z.preprocess(blankToUndefined, z.string().max(40).optional()),
  taskId: z.preprocess(blankToUndefined, z.coerce.number().int().optional()),
  intentCode: z.preprocess(blankToUndefined, z.string().max(100).optional()),
  connected: z.preprocess(blankToUndefined, z.enum(["yes", "no"]).optional()),
  since: z.preprocess(blankToUndefined, z.iso.date().optional()),
  until: z.preprocess(blankToUndefined, z.iso.date().optional()),
  filter: z.preprocess(blankToUndefined, z.string().max(20_000).optional()),
  cursor: z.preprocess(blankToUndefined, z.coerce.number().int().optional()),
});
type CallSearch = z.output<typeof callSearch>;

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
    intentCode: q.intentCode,
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
  return { where, fields: conditions.fields, filter };
}

const csvColumns = Object.keys(normalizedCallColumns) as (keyof NormalizedCall)[];

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\n\r]/.test(text) || /^[=+\-@]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

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
        {t("intentCode")} <input name="intentCode" value={q.intentCode ?? ""} />
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

/** `/calls`, `/calls.csv` and `/calls/{sourceId}/{voiceId}`. */
export const callPages = new Hono<ConsoleEnv>()
  .get("/calls", async (c) => {
    const t = c.get("t");
    const parsed = callSearch.safeParse(c.req.query());
    const q: CallSearch = parsed.success ? parsed.data : {};
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
    const csv = new URL(c.req.url);
    csv.pathname = "/calls.csv";
    csv.searchParams.delete("cursor");
    return c.render(
      <>
        <SearchForm q={q} t={t} error={error} />
        <p>
          <a href={`${csv.pathname}${csv.search}`} download>
            {t("exportCsv")}
          </a>
        </p>
        <Table
          head={[t("received"), t("voiceId"), t("callee"), t("connected"), t("intent"), t("taskId")]}
          rows={page.calls.map((call) => [
            <Time at={call.receivedAt} />,
            <a href={`/calls/${encodeURIComponent(call.sourceId)}/${encodeURIComponent(call.voiceId)}`}>
              {call.voiceId}
            </a>,
            call.callee,
            call.connected ? t("yes") : t("no"),
            <>
              {call.intentCode} {call.intent}
            </>,
            call.taskId,
          ])}
          empty={t("noRows")}
        />
        <NextPage url={c.req.url} cursor={page.next === null ? null : String(page.next.id)} label={t("nextPage")} />
      </>,
      { title: t("calls") },
    );
  })
  .get("/calls.csv", async (c) => {
    const q = callSearch.omit({ cursor: true }).parse(c.req.query());
    const db = getDb(c.env.DB);
    const { where, fields, filter } = await searchOf(db, q, c.get("timeZone"));
    c.header("content-type", "text/csv; charset=utf-8");
    c.header("content-disposition", 'attachment; filename="calls.csv"');
    return stream(c, async (out) => {
      await out.write(`${csvColumns.join(",")}\r\n`);
      let before: CallPosition | undefined;
      for (;;) {
        const page = await scanCalls(db, { where, fields, filter, limit: 200, before });
        if (page.calls.length > 0) {
          await out.write(
            page.calls.map((call) => `${csvColumns.map((k) => csvCell(call[k])).join(",")}\r\n`).join(""),
          );
        }
        if (page.next === null) break;
        before = page.next;
      }
    });
  })
  .get("/calls/:sourceId/:voiceId", async (c) => {
    const t = c.get("t");
    const call = await getCallDetail(c.env, c.req.param("sourceId"), c.req.param("voiceId"));
    const { raw, deliveries, ...fields } = call;
    const explained = await explainCall(getDb(c.env.DB), call.sourceId, call.voiceId);
    const meaning = callFieldDocs as Record<string, string | undefined>;
    return c.render(
      <>
        <section class="card">
          <h2>{t("field")}</h2>
          <dl class="fields">
            {Object.entries(fields).map(([name, value]) => (
              <div>
                <dt>
                  <code>{name}</code>
                </dt>
                <dd>
                  {value === null ? "—" : typeof value === "object" ? JSON.stringify(value) : String(value)}
                  <DocText text={meaning[name]} />
                </dd>
              </div>
            ))}
          </dl>
        </section>
        <section class="card" aria-labelledby="why">
          <h2 id="why">{t("why")}</h2>
          <Table
            head={[t("destination"), t("type"), t("outcome")]}
            rows={explained.map((e) => [
              <a href={`/destinations/${e.destinationId}`}>{e.name}</a>,
              e.type,
              <span data-explain={e.matched ? "matched" : "not-matched"}>
                {e.matched ? t("forwarded") : `${t("notForwarded")}: ${e.reason}`}
              </span>,
            ])}
            empty={t("noRows")}
          />
        </section>
        <section class="card">
          <h2>{t("deliveries")}</h2>
          {deliveries.length === 0 && <p>{t("noRows")}</p>}
          {deliveries.map((d) => (
            <article class="delivery">
              <h3>
                <a href={`/destinations/${d.destinationId}`}>{d.destinationName ?? d.destinationId}</a>: {d.status}
              </h3>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t("time")}</th>
                    <th scope="col">{t("status")}</th>
                    <th scope="col">{t("response")}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.attemptLog.map((a) => (
                    <tr>
                      <td>
                        <Time at={a.attemptedAt} />
                      </td>
                      <td>
                        {a.outcome} {a.statusCode ?? ""}
                      </td>
                      <td>
                        <code>{a.responseBody ?? a.error ?? ""}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </article>
          ))}
        </section>
        <section class="card">
          <h2>{t("rawRecord")}</h2>
          <pre>{JSON.stringify(raw, null, 2)}</pre>
        </section>
      </>,
      { title: `${t("calls")}: ${call.voiceId}` },
    );
  });
