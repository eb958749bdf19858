import { and, desc, eq, gt, ne } from "drizzle-orm";
import { Hono } from "hono";
import { computeStats } from "../../http/admin/stats";
import { getConfig } from "../../lib/config";
import { newId } from "../../lib/crypto";
import { sampleRecord } from "../../model/calls/sample-call";
import { enqueueLater } from "../../pipeline/dispatch/enqueue";
import { ingestPush } from "../../pipeline/ingest/ingest";
import { recordAudit } from "../../storage/audit-record";
import { getDb } from "../../storage/db/client";
import { calls, deliveryRollups, destinations } from "../../storage/db/schema";
import { DEFAULT_SOURCE } from "../../storage/sources";
import { BarChart, ColumnChart } from "../components/bar-chart";
import { EmptyState } from "../components/empty-state";
import { LiveStatus } from "../components/live-status";
import { StatusBadge } from "../components/status-badge";
import { Table } from "../components/table";
import { Time } from "../components/time";
import type { ConsoleEnv } from "../shell/env";
import { isLiveRequest, liveFragment } from "../shell/live";
import { startOfDay } from "../shell/zoned-date";

const DAY_MS = 24 * 3600 * 1000;

/** Storage use (percent of the D1 limit) from which the overview warns. */
const STORAGE_WARN_PERCENT = 80;

type Stats = Awaited<ReturnType<typeof computeStats>>;

function Tiles({ stats, t }: { stats: Stats; t: ConsoleEnv["Variables"]["t"] }) {
  const rate = stats.connectRate === null ? "—" : `${(stats.connectRate * 100).toFixed(1)}%`;
  return (
    <dl class="tiles">
      {(
        [
          [t("pushesCount"), stats.pushes],
          [t("records"), stats.records],
          [t("rejected"), stats.rejected],
          [t("callsCount"), stats.calls],
          [t("connected"), stats.connected],
          [t("connectRate"), rate],
        ] as const
      ).map(([label, value]) => (
        <div>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** `/`: today and the last 7 days, banners, and the first-run checklist on a fresh deployment. */
export const overviewPages = new Hono<ConsoleEnv>()
  .get("/", async (c) => {
    const t = c.get("t");
    const db = getDb(c.env.DB);
    const now = Date.now();
    const midnight = startOfDay(now, c.get("timeZone"));
    const view = { timeZone: c.get("timeZone"), limitBytes: getConfig(c.env).d1LimitBytes };
    const [today, week, [disabled, tripped, anyCalls, anyDestinations, anyDelivered]] = await Promise.all([
      // What the page shows: today's totals and hours; the week's totals, intents and deliveries.
      computeStats(db, { ...view, since: midnight, until: now + 1, interval: "hour" }, ["series"]),
      computeStats(db, { ...view, since: midnight - 6 * DAY_MS, until: now + 1, interval: "day" }, [
        "byIntent",
        "deliveries",
      ]),
      // The banners' and the checklist's reads: one round trip.
      db.batch([
        db
          .select({ id: destinations.id, name: destinations.name, reason: destinations.disabledReason })
          .from(destinations)
          .where(eq(destinations.enabled, false))
          .limit(20),
        db
          .select({ id: destinations.id, name: destinations.name, openUntil: destinations.openUntil })
          .from(destinations)
          .where(ne(destinations.circuit, "closed"))
          .limit(20),
        db.select({ id: calls.id }).from(calls).orderBy(desc(calls.id)).limit(1),
        db.select({ id: destinations.id }).from(destinations).limit(1),
        // From the rollups: a search of `deliveries` for a delivered one could read many rows.
        db
          .select({ hour: deliveryRollups.hour })
          .from(deliveryRollups)
          .where(and(eq(deliveryRollups.status, "delivered"), gt(deliveryRollups.count, 0)))
          .limit(1),
      ]),
    ]);
    const [anyCall, anyDestination] = [anyCalls[0], anyDestinations[0]];
    const fresh = anyDelivered.length === 0;
    const failed = week.deliveries.filter((d) => d.status === "failed" && d.count > 0);
    const storage = week.storage;
    const parts = (
      <div data-live="overview">
        {tripped.map((d) => (
          <p class="banner" role="status" data-banner="breaker">
            {t("breakerBanner")}: <a href={`/destinations/${d.id}`}>{d.name}</a>{" "}
            {d.openUntil !== null && (
              <>
                ({t("openUntil")} <Time at={d.openUntil} />)
              </>
            )}
          </p>
        ))}
        {failed.map((d) => (
          <p class="banner" role="status" data-banner="failed">
            {t("failedBanner")}: {d.count} →{" "}
            <a href={`/deliveries?status=failed&destination=${encodeURIComponent(d.destinationId)}`}>
              {d.name ?? d.destinationId}
            </a>
          </p>
        ))}
        {storage.percent !== null && storage.percent >= STORAGE_WARN_PERCENT && (
          <p class="banner" role="status" data-banner="storage">
            {t("storageBanner")}: {storage.percent}%
          </p>
        )}
        {disabled.map((d) => (
          <p class="banner" role="status">
            {t("disabledBanner")}: <a href={`/destinations/${d.id}`}>{d.name}</a> {d.reason ? `(${d.reason})` : ""}
          </p>
        ))}
        {fresh && (
          <section class="card" aria-labelledby="first-run">
            <h2 id="first-run">{t("firstRun")}</h2>
            <ol class="checklist">
              <li data-done={String(getConfig(c.env).pushToken !== undefined)}>
                <a href="/sources">{t("stepCopyUrl")}</a>
              </li>
              <li data-done={String(Boolean(anyDestination))}>
                <a href="/destinations/new">{t("stepAddDestination")}</a>
              </li>
              <li data-done={String(Boolean(anyCall))}>
                <form method="post" action="/sample-push">
                  <span>{t("stepSendSample")}</span> <button type="submit">{t("sendSample")}</button>
                </form>
              </li>
              <li>
                <a href="/deliveries">{t("stepSeeForwarded")}</a>
              </li>
            </ol>
          </section>
        )}
        <section aria-labelledby="today">
          <h2 id="today">{t("today")}</h2>
          <Tiles stats={today} t={t} />
        </section>
        <section aria-labelledby="week">
          <h2 id="week">{t("last7")}</h2>
          <Tiles stats={week} t={t} />
          <div class="charts">
            <figure>
              <figcaption>{t("intents")}</figcaption>
              {week.byIntent.length === 0 ? (
                <EmptyState text={t("noWeekCalls")} next={[{ href: "/sources", label: t("sources") }]} />
              ) : (
                <BarChart
                  title={t("intents")}
                  bars={week.byIntent
                    .slice(0, 10)
                    .map((i) => ({ label: `${i.intentCode ?? "—"} ${i.intent ?? ""}`, value: i.count }))}
                />
              )}
            </figure>
            <figure>
              <figcaption>{t("callsPerHour")}</figcaption>
              <ColumnChart
                title={t("callsPerHour")}
                columns={today.series.points.map((p) => ({ label: p.start.slice(11, 16), value: p.calls }))}
              />
            </figure>
          </div>
          <h3>{t("deliveriesByDestination")}</h3>
          <Table
            label={t("deliveriesByDestination")}
            head={[t("destination"), t("status"), "#"]}
            rows={week.deliveries.map((d) => [
              <a href={`/destinations/${d.destinationId}`}>{d.name ?? d.destinationId}</a>,
              <StatusBadge status={d.status} t={t} />,
              d.count,
            ])}
            empty={t("noWeekDeliveries")}
            next={[{ href: "/destinations/new", label: t("newDestination") }]}
          />
        </section>
      </div>
    );
    if (isLiveRequest(c)) return liveFragment(c, parts);
    return c.render(
      <>
        <LiveStatus src="/" now={now} t={t} />
        {parts}
      </>,
      { title: t("overview") },
    );
  })
  .post("/sample-push", async (c) => {
    const now = Date.now();
    const body = JSON.stringify({ array: [{ ...sampleRecord, voiceId: `sample-${now}` }] });
    const result = await ingestPush(c.env, {
      pushId: newId("psh"),
      sourceId: DEFAULT_SOURCE.id,
      ensureSource: DEFAULT_SOURCE,
      body,
      bytes: body.length,
      contentType: "application/json",
      receivedAt: now,
    });
    enqueueLater(c.executionCtx, c.env.DELIVERY_QUEUE, result.deliveryIds, { pushId: result.pushId });
    await recordAudit(c.env.DB, { actor: c.var.actor, action: "pushes.sample", target: result.pushId });
    return c.redirect(`/calls/${DEFAULT_SOURCE.id}/sample-${now}`, 303);
  });
