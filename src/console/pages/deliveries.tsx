import { asc } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { retryDelivery } from "../../http/admin/deliveries";
import { deliveryView } from "../../http/admin/delivery-view";
import { cursorParam } from "../../lib/cursor";
import { bulkRetryChunk, bulkRetryCount, bulkRetryCursor } from "../../pipeline/delivery/bulk-retry";
import { recordAudit } from "../../storage/audit-record";
import { getDb } from "../../storage/db/client";
import { calleeSearchKey } from "../../storage/db/derived-columns";
import { destinations } from "../../storage/db/schema";
import { type DeliverySearch, deliveryCursor, searchDeliveries } from "../../storage/delivery-search";
import { DeliveryFilterForm } from "../components/delivery-filter-form";
import { LiveStatus } from "../components/live-status";
import { NextPage } from "../components/next-page";
import { StatusBadge } from "../components/status-badge";
import { Table } from "../components/table";
import { Time } from "../components/time";
import { type DeliveryFilter, deliveryFilterQuery, isFiltered, parseDeliveryFilter } from "../shell/delivery-filter";
import type { ConsoleEnv } from "../shell/env";
import { isLiveRequest, liveFragment, selfUrl } from "../shell/live";
import { zonedMidnight } from "../shell/zoned-date";

const PAGE = 50;
const DAY_MS = 24 * 3600 * 1000;
const keyCursor = cursorParam(deliveryCursor);

/** The URL's filter as a search: dates in the viewer's zone (`until` included), the phone as its search key. */
function searchOf(filter: DeliveryFilter, timeZone: string): DeliverySearch {
  return {
    statuses: filter.status,
    destinationIds: filter.destination,
    httpClasses: filter.http,
    eventTypes: filter.event,
    since: filter.since === undefined ? undefined : zonedMidnight(filter.since, timeZone),
    until: filter.until === undefined ? undefined : zonedMidnight(filter.until, timeZone) + DAY_MS,
    voiceId: filter.voiceId,
    calleeKey: filter.phone === undefined ? undefined : calleeSearchKey(filter.phone),
  };
}

const listUrl = (filter: DeliveryFilter) => {
  const q = deliveryFilterQuery(filter).toString();
  return q === "" ? "/deliveries" : `/deliveries?${q}`;
};

/** One chunk of a bulk retry: the filter, where the last chunk stopped, and the running and expected totals. */
const chunkForm = z.object({
  query: z.string().max(4000).default(""),
  cursor: z.preprocess((v) => (v === "" ? undefined : v), cursorParam(bulkRetryCursor).optional()),
  retried: z.coerce.number().int().min(0).default(0),
  total: z.coerce.number().int().min(0).default(0),
});

/** `/deliveries`: the log filtered by any combination kept in the URL, single and bulk retry. */
export const deliveryPages = new Hono<ConsoleEnv>()
  .get("/deliveries", async (c) => {
    const t = c.get("t");
    const db = getDb(c.env.DB);
    const { filter, issues } = parseDeliveryFilter(new URL(c.req.url).searchParams);
    const cursor = keyCursor.catch(undefined).parse(c.req.query("cursor"));
    const live = isLiveRequest(c);
    const [found, known] = await Promise.all([
      searchDeliveries(db, searchOf(filter, c.get("timeZone")), { limit: PAGE, cursor }),
      // The filter form's choices: not part of a live refresh.
      live
        ? []
        : db
            .select({ id: destinations.id, name: destinations.name })
            .from(destinations)
            .orderBy(asc(destinations.name))
            .limit(500),
    ]);
    const page = { ...found, data: found.data.map((r) => deliveryView(r.delivery, r.destinationName)) };
    const here = listUrl(filter);
    const query = deliveryFilterQuery(filter).toString();
    const list = (
      <div data-live="deliveries">
        <Table
          label={t("deliveries")}
          head={[t("time"), t("destination"), t("voiceId"), t("status"), t("attempts"), t("lastAnswer"), t("retry")]}
          keys={page.data.map((d) => d.id)}
          rows={page.data.map((d) => [
            <a href={`/deliveries/${encodeURIComponent(d.id)}`} title={`${t("delivery")} ${d.id}`}>
              <Time at={d.createdAt} />
            </a>,
            <a href={`/destinations/${d.destinationId}`}>{d.destinationName ?? d.destinationId}</a>,
            <a href={`/calls/${encodeURIComponent(d.sourceId)}/${encodeURIComponent(d.voiceId)}`}>{d.voiceId}</a>,
            <StatusBadge status={d.status} t={t} />,
            d.attempts,
            d.lastError ?? d.lastStatusCode ?? "",
            (d.status === "failed" || d.status === "paused") && (
              <form method="post" action={`/deliveries/${d.id}/retry`}>
                <input type="hidden" name="back" value={here} />
                <button type="submit" aria-label={`${t("retry")} ${d.id}`}>
                  {t("retry")}
                </button>
              </form>
            ),
          ])}
          empty={isFiltered(filter) ? t("noDeliveriesFiltered") : t("noDeliveries")}
          next={
            isFiltered(filter)
              ? [{ href: "/deliveries", label: t("clearFilters") }]
              : [
                  { href: "/destinations/new", label: t("newDestination") },
                  { href: "/", label: t("overview") },
                ]
          }
        />
        <NextPage url={c.req.url} cursor={page.nextCursor} label={t("nextPage")} />
      </div>
    );
    if (live) return liveFragment(c, list);
    return c.render(
      <>
        <DeliveryFilterForm filter={filter} issues={issues} destinations={known} t={t} />
        <p>
          <a href={`/deliveries/retry${query === "" ? "" : `?${query}`}`} class="button" data-bulk-retry>
            {isFiltered(filter) ? t("retryFiltered") : t("retryEverything")}
          </a>
        </p>
        <LiveStatus src={selfUrl(c.req.url)} now={Date.now()} t={t} />
        {list}
      </>,
      { title: t("deliveries") },
    );
  })
  .get("/deliveries/retry", async (c) => {
    const t = c.get("t");
    const { filter } = parseDeliveryFilter(new URL(c.req.url).searchParams);
    const { count, capped } = await bulkRetryCount(getDb(c.env.DB), searchOf(filter, c.get("timeZone")), Date.now());
    const query = deliveryFilterQuery(filter).toString();
    return c.render(
      <section class="card" aria-live="polite">
        <p data-retry-count={String(count)}>
          {t("willSendAgain", { n: `${capped ? "> " : ""}${count.toLocaleString("en")}` })}
        </p>
        {count > 0 ? (
          <form method="post" action="/deliveries/retry">
            <input type="hidden" name="query" value={query} />
            <input type="hidden" name="total" value={String(count)} />
            <button type="submit">{t("sendAgain")}</button> <a href={listUrl(filter)}>{t("cancel")}</a>
          </form>
        ) : (
          <a href={listUrl(filter)}>{t("deliveries")}</a>
        )}
      </section>,
      { title: t("bulkRetry") },
    );
  })
  .post("/deliveries/retry", async (c) => {
    const t = c.get("t");
    const form = chunkForm.parse(await c.req.parseBody());
    const { filter } = parseDeliveryFilter(new URLSearchParams(form.query));
    const db = getDb(c.env.DB);
    if (form.cursor === undefined) {
      await recordAudit(c.env.DB, { actor: c.var.actor, action: "deliveries.bulk-retry", target: form.query || "all" });
    }
    const chunk = await bulkRetryChunk(
      c.env,
      db,
      searchOf(filter, c.get("timeZone")),
      form.cursor ?? { d: 0 },
      Date.now(),
    );
    const retried = form.retried + chunk.retried;
    return c.render(
      <section class="card" aria-live="polite">
        <progress max={Math.max(form.total, retried)} value={retried} aria-label={t("bulkRetry")} />
        <p data-retry-complete={String(chunk.next === null)}>
          {t("sentAgainOf", { n: retried, m: Math.max(form.total, retried) })} {chunk.next === null ? t("done") : "…"}
        </p>
        {chunk.next !== null && (
          <form method="post" action="/deliveries/retry" data-auto-submit>
            <input type="hidden" name="query" value={form.query} />
            <input type="hidden" name="cursor" value={chunk.next} />
            <input type="hidden" name="retried" value={String(retried)} />
            <input type="hidden" name="total" value={String(form.total)} />
            <button type="submit">{t("nextPage")}</button>
          </form>
        )}
        <a href={listUrl(filter)}>{t("deliveries")}</a>
      </section>,
      { title: t("bulkRetry") },
    );
  })
  .post("/deliveries/:id/retry", async (c) => {
    const id = c.req.param("id");
    await retryDelivery(c.env, id, Date.now());
    await recordAudit(c.env.DB, { actor: c.var.actor, action: "deliveries.retry", target: id });
    const back = String((await c.req.parseBody()).back ?? "");
    return c.redirect(back.startsWith("/deliveries") ? back : "/deliveries", 303);
  });
