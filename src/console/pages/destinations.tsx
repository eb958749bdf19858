import { asc } from "drizzle-orm";
import { Hono } from "hono";
import { destinationInput } from "../../http/admin/destination-input";
import { createDestination, findDestination } from "../../http/admin/destination-service";
import { destinationView } from "../../http/admin/destination-view";
import { AppError } from "../../lib/errors";
import { fieldIssues } from "../../lib/validation";
import { isDestinationTypeName } from "../../messages/destinations/registry";
import { eventTypes } from "../../model/events/types";
import { sumHealth } from "../../model/health";
import { recordAudit } from "../../storage/audit-record";
import { getDb } from "../../storage/db/client";
import { destinations } from "../../storage/db/schema";
import { searchDeliveries } from "../../storage/delivery-search";
import { readHealth } from "../../storage/health-rollups";
import { Breaker } from "../components/breaker";
import { CreateForm } from "../components/create-form";
import { EditForm } from "../components/edit-form";
import { FilterField } from "../components/filter-field";
import { HealthCharts, HealthSummary, healthRangeOf, Latency, SuccessRate } from "../components/health";
import { LiveStatus } from "../components/live-status";
import { RetryAllForm } from "../components/retry-all";
import { SecretOnce } from "../components/secret-once";
import { SettingsList } from "../components/settings-list";
import { Sparkline } from "../components/sparkline";
import { EnabledBadge, StatusBadge } from "../components/status-badge";
import { Table } from "../components/table";
import { Time } from "../components/time";
import { configSpecs } from "../shell/destination-fields";
import type { ConsoleEnv } from "../shell/env";
import { parseJsonField, postedSettings } from "../shell/form-fields";
import { healthPeriods, healthRanges } from "../shell/health-series";
import { isLiveRequest, liveFragment, selfUrl } from "../shell/live";

type Issue = { path: string; message: string };

const DAY_MS = 24 * 3600 * 1000;

/** `/destinations`: the list with health, the create form, and each destination's page. */
export const destinationPages = new Hono<ConsoleEnv>()
  .get("/destinations", async (c) => {
    const t = c.get("t");
    const db = getDb(c.env.DB);
    const now = Date.now();
    const rows = await db.select().from(destinations).orderBy(asc(destinations.createdAt)).limit(500);
    const health = await readHealth(
      db,
      rows.map((d) => d.id),
      now - DAY_MS,
    );
    return c.render(
      <>
        <p>
          <a href="/destinations/new" class="button">
            {t("newDestination")}
          </a>
        </p>
        <Table
          label={t("destinations")}
          head={[
            t("name"),
            t("status"),
            t("successRate"),
            t("latency"),
            t("lastDelivery"),
            t("trend24h"),
            t("breaker"),
          ]}
          rows={rows.map((d) => {
            const mine = health.filter((h) => h.destinationId === d.id);
            const day = sumHealth(mine);
            const hours = healthPeriods(mine, now, 24, 1);
            return [
              <>
                <a href={`/destinations/${d.id}`}>{d.name}</a> <small class="muted">{d.type}</small>
              </>,
              <EnabledBadge enabled={d.enabled} reason={d.disabledReason} t={t} />,
              <SuccessRate health={day} t={t} />,
              <Latency health={day} />,
              <Time at={day.lastAt} />,
              <Sparkline
                title={t("sparkTitle")}
                points={hours.map((p) => ({
                  label: new Date(p.start).toISOString().slice(11, 16),
                  ok: p.health.delivered,
                  bad: p.health.failed + p.health.retried,
                }))}
              />,
              <Breaker id={d.id} circuit={d.circuit} openUntil={d.openUntil} failStreak={d.failStreak} t={t} />,
            ];
          })}
          empty={t("noDestinations")}
          next={[{ href: "/destinations/new", label: t("newDestination") }]}
        />
      </>,
      { title: t("destinations") },
    );
  })
  .get("/destinations/new", (c) => {
    const t = c.get("t");
    const chosen = c.req.query("type") ?? "";
    const type = isDestinationTypeName(chosen) ? chosen : "slack";
    return c.render(
      <CreateForm t={t} lang={c.get("lang")} issues={[]} values={{ name: "", type, config: {}, filter: "{}" }} />,
      { title: t("newDestination") },
    );
  })
  .post("/destinations/new", async (c) => {
    const t = c.get("t");
    const form = await c.req.parseBody();
    const chosen = String(form.type ?? "");
    const type = isDestinationTypeName(chosen) ? chosen : "slack";
    const { values: config, issues } = postedSettings(configSpecs(type), form, "config.");
    const values = { name: String(form.name ?? ""), type, config, filter: String(form.filter ?? "") };
    const input = destinationInput.safeParse({
      name: values.name,
      type: chosen,
      config: Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)),
      filter: parseJsonField(values.filter, "filter", issues),
    });
    if (!input.success) issues.push(...fieldIssues(input.error));
    if (issues.length === 0 && input.success) {
      try {
        const { view, secret } = await createDestination(c.env, input.data, Date.now());
        await recordAudit(c.env.DB, { actor: c.var.actor, action: "destinations.create", target: view.id });
        if (secret !== undefined) {
          return c.render(<SecretOnce secret={secret} destination={view} t={t} />, { title: view.name });
        }
        return c.redirect(`/destinations/${view.id}`, 303);
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== "validation_failed") throw err;
        issues.push(...((err.details as Issue[] | undefined) ?? [{ path: "", message: err.message }]));
      }
    }
    c.status(400);
    return c.render(<CreateForm t={t} lang={c.get("lang")} issues={issues} values={values} />, {
      title: t("newDestination"),
    });
  })
  .get("/destinations/:id", async (c) => {
    const t = c.get("t");
    const row = await findDestination(c.env, c.req.param("id"));
    const d = destinationView(row);
    const range = healthRangeOf(c.req.query("range"));
    const now = Date.now();
    const db = getDb(c.env.DB);
    const { hours, step } = healthRanges[range];
    const [rows, recent] = await Promise.all([
      readHealth(db, [d.id], now - hours * 3600_000),
      searchDeliveries(db, { destinationIds: [d.id] }, { limit: 20 }),
    ]);
    const periods = healthPeriods(rows, now, hours, step);
    const self = `/destinations/${d.id}`;
    const parts = (
      <>
        <dl class="fields card" data-live="destination-state">
          <div>
            <dt>{t("type")}</dt>
            <dd>{d.type}</dd>
          </div>
          <div>
            <dt>{t("status")}</dt>
            <dd>
              <EnabledBadge enabled={d.enabled} reason={d.disabledReason} t={t} />
            </dd>
          </div>
          <div>
            <dt>{t("breaker")}</dt>
            <dd>
              <Breaker id={d.id} circuit={row.circuit} openUntil={d.openUntil} failStreak={row.failStreak} t={t} />
            </dd>
          </div>
        </dl>
        <div data-live="destination-health">
          <HealthCharts range={range} periods={periods} t={t} self={self}>
            <HealthSummary health={sumHealth(rows)} t={t} />
          </HealthCharts>
        </div>
        <section class="card" aria-labelledby="recent" data-live="destination-recent">
          <h2 id="recent">{t("recentDeliveries")}</h2>
          <Table
            label={t("recentDeliveries")}
            head={[t("time"), t("voiceId"), t("status"), t("attempts"), t("lastAnswer")]}
            keys={recent.data.map(({ delivery: r }) => r.id)}
            rows={recent.data.map(({ delivery: r }) => [
              <Time at={r.updatedAt} />,
              <a href={`/calls/${encodeURIComponent(r.sourceId)}/${encodeURIComponent(r.voiceId)}`}>{r.voiceId}</a>,
              <StatusBadge status={r.status} t={t} />,
              r.attempts,
              r.lastError ?? r.lastStatusCode ?? "",
            ])}
            empty={t("noDeliveriesYet")}
          />
          <p>
            <a href={`/deliveries?destination=${encodeURIComponent(d.id)}`}>{t("allDeliveries")} →</a>
          </p>
        </section>
      </>
    );
    if (isLiveRequest(c)) return liveFragment(c, parts);
    return c.render(
      <>
        <LiveStatus src={selfUrl(c.req.url)} now={now} t={t} />
        {parts}
        <section class="card" aria-labelledby="settings">
          <h2 id="settings">{t("config")}</h2>
          <SettingsList d={d} lang={c.get("lang")} t={t} />
        </section>
        <form method="post" action={`/destinations/${d.id}/filter`} class="card">
          <FilterField value={JSON.stringify(d.filter, null, 2)} issues={[]} t={t} />
          <button type="submit">{t("save")}</button>
        </form>
        <EditForm d={d} issues={[]} lang={c.get("lang")} t={t} />
        <div class="actions card">
          <form method="post" action={`/destinations/${d.id}/test`}>
            <label>
              {t("testEvent")}{" "}
              <select name="event">
                {eventTypes.map((type) => (
                  <option value={type} selected={type === d.events[0]}>
                    {type}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit">{t("testSend")}</button>
          </form>
          <RetryAllForm destinationId={d.id} t={t} />
          <form method="post" action={`/destinations/${d.id}/${d.enabled ? "disable" : "enable"}`}>
            <button type="submit">{d.enabled ? t("disable") : t("enable")}</button>
          </form>
          <form method="post" action={`/destinations/${d.id}/delete`}>
            <label>
              {t("confirmDelete")} <input name="confirm" autocomplete="off" required />
            </label>
            <button type="submit" class="danger">
              {t("delete")}
            </button>
          </form>
          {d.type === "webhook" && (
            <form method="post" action={`/destinations/${d.id}/rotate-secret`}>
              <button type="submit">{t("rotateSecret")}</button>
            </form>
          )}
          <form method="post" action={`/destinations/${d.id}/replay`} class="replay">
            <fieldset>
              <legend>{t("replay")}</legend>
              <label>
                {t("since")} <input type="date" name="since" required />
              </label>
              <label>
                {t("until")} <input type="date" name="until" required />
              </label>
              <button type="submit">{t("replay")}</button>
            </fieldset>
          </form>
        </div>
      </>,
      { title: `${t("destination")}: ${d.name}` },
    );
  });
