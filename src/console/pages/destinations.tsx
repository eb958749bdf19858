import { asc } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { destinationView } from "../../http/admin/destination-view";
import {
  createDestination,
  deleteDestination,
  destinationInput,
  destinationPatch,
  findDestination,
  updateDestination,
} from "../../http/admin/destinations";
import { filterSchema } from "../../http/admin/filter-schema";
import { computeStats } from "../../http/admin/stats";
import { getConfig } from "../../lib/config";
import { cursorParam } from "../../lib/cursor";
import { AppError } from "../../lib/errors";
import { fieldIssues } from "../../lib/validation";
import { destinationTypes, getDestinationType, isDestinationTypeName } from "../../messages/destinations/registry";
import { rotateSecret } from "../../messages/destinations/rotate-secret";
import { destinationOptionsInput } from "../../messages/options";
import { eventTypes } from "../../model/events/types";
import { previewFilter } from "../../model/filters/preview";
import { operators } from "../../model/filters/validate";
import { replayCalls, replayCursor } from "../../pipeline/delivery/replay";
import { retryableStatuses, retryCursor, retryNow } from "../../pipeline/delivery/retry-now";
import { testSend } from "../../pipeline/delivery/test-send";
import { enqueueLater } from "../../pipeline/dispatch/enqueue";
import { recordAudit } from "../../storage/audit-record";
import { getDb } from "../../storage/db/client";
import { destinations } from "../../storage/db/schema";
import { DocText } from "../components/doc-text";
import { FieldError } from "../components/field-error";
import { RetryAllForm } from "../components/retry-all";
import { Table } from "../components/table";
import { Time } from "../components/time";
import type { ConsoleEnv } from "../shell/env";
import { zonedMidnight } from "../shell/zoned-date";

type Issue = { path: string; message: string };
type T = ConsoleEnv["Variables"]["t"];
type DestinationView = ReturnType<typeof destinationView>;

const DAY_MS = 24 * 3600 * 1000;

/** One chunk of a replay: the window as dates, and where the previous chunk stopped with its running totals. */
const replayForm = z.object({
  since: z.iso.date(),
  until: z.iso.date(),
  cursor: z.preprocess((v) => (v === "" ? undefined : v), cursorParam(replayCursor)),
  created: z.coerce.number().int().min(0).default(0),
  scanned: z.coerce.number().int().min(0).default(0),
});

function parseJson(text: unknown, path: string, issues: Issue[]): unknown {
  if (typeof text !== "string" || text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    issues.push({ path, message: "expected JSON" });
    return undefined;
  }
}

/** The filter builder: rows edit the JSON filter in the textarea (with script); the textarea alone works without. */
function FilterField({ value, issues, t }: { value: string; issues: Issue[]; t: T }) {
  return (
    <fieldset
      class="filter-builder"
      data-filter-builder
      data-operators={operators.filter((o) => o !== "$not").join(" ")}
    >
      <legend>{t("filter")}</legend>
      <div data-builder-rows hidden>
        <label>
          {t("match")}{" "}
          <select data-builder-mode>
            <option value="all">{t("matchAll")}</option>
            <option value="any">{t("matchAny")}</option>
          </select>
        </label>
        <ul data-builder-list />
        <button type="button" data-builder-add>
          {t("addRow")}
        </button>
      </div>
      <label for="filter">{t("filterJson")}</label>
      <textarea id="filter" name="filter" rows={4} data-builder-json>
        {value}
      </textarea>
      <FieldError issues={issues} path="filter" />
      <p aria-live="polite" data-preview-text={t("wouldMatch")} data-builder-preview />
    </fieldset>
  );
}

function Breaker({ circuit, openUntil, t }: { circuit: string; openUntil: number | string | null; t: T }) {
  const label = t(`circuit_${circuit}` as "circuit_closed");
  if (circuit === "closed" || openUntil === null) return <span data-circuit={circuit}>{label}</span>;
  return (
    <span data-circuit={circuit}>
      {label}, {t("openUntil")} <Time at={openUntil} />
    </span>
  );
}

const optionNames = Object.keys(destinationOptionsInput.shape) as (keyof typeof destinationOptionsInput.shape)[];

/** A form value as the API takes it: blank is absent, numbers and booleans as such. */
function formValue(value: unknown): unknown {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  if (/^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (value === "true" || value === "false") return value === "true";
  return value;
}

/** Sources, events, options (one field each) and template of a destination, validated as the API validates them. */
function EditForm({
  d,
  issues,
  t,
  posted = {},
}: {
  d: DestinationView;
  issues: Issue[];
  t: T;
  posted?: Record<string, string>;
}) {
  const options = d.options as Record<string, unknown>;
  const secrets = new Set(configFields(d.type).flatMap((f) => (f.secret ? [f.name] : [])));
  const config = Object.fromEntries(
    Object.entries(d.config).map(([name, value]) => [
      name,
      posted[name] ?? (secrets.has(name) || value === undefined ? "" : String(value)),
    ]),
  );
  return (
    <form method="post" action={`/destinations/${d.id}/edit`} class="card" id="edit">
      <h2>{t("edit")}</h2>
      <fieldset>
        <legend>
          {t("config")}: {d.type}
        </legend>
        <ConfigFields type={d.type} values={config} issues={issues} t={t} masked={d.config} />
        <FieldError issues={issues.filter((i) => i.path === "config")} path="config" />
      </fieldset>
      <fieldset>
        <legend>{t("events")}</legend>
        {eventTypes.map((type) => (
          <label class="check">
            <input type="checkbox" name="events" value={type} checked={d.events.includes(type)} /> {type}
          </label>
        ))}
        <FieldError issues={issues} path="events" />
      </fieldset>
      <fieldset>
        <legend>{t("options")}</legend>
        {optionNames.map((name) => (
          <>
            <label for={`option-${name}`}>
              <code>{name}</code> <DocText text={destinationOptionsInput.shape[name].description} />
            </label>
            <input
              id={`option-${name}`}
              name={`options.${name}`}
              value={options[name] === undefined ? "" : String(options[name])}
            />
            <FieldError issues={issues} path={`options.${name}`} />
          </>
        ))}
      </fieldset>
      <label for="sourceIds">{t("sourceIds")}</label>
      <input id="sourceIds" name="sourceIds" value={d.sourceIds.join(", ")} />
      <FieldError issues={issues} path="sourceIds" />
      <label for="template">{t("template")}</label>
      <textarea id="template" name="template" rows={3}>
        {d.template ?? ""}
      </textarea>
      <FieldError issues={issues} path="template" />
      <button type="submit">{t("save")}</button>
    </form>
  );
}

function SecretOnce({ secret, destination, t }: { secret: string; destination: { id: string; name: string }; t: T }) {
  return (
    <section class="card">
      <p>{t("secretOnce")}</p>
      <pre>{secret}</pre>
      <a href={`/destinations/${destination.id}`}>{destination.name}</a>
    </section>
  );
}

/** A destination type's settings as form fields: from its adapter's config schema, secret ones masked. */
function configFields(type: string) {
  const adapter = getDestinationType(type);
  const schema = adapter.configSchema({ allowHttp: true });
  const shape = "shape" in schema ? (schema.shape as Record<string, z.ZodType>) : {};
  return Object.entries(shape).map(([name, field]) => ({
    name,
    optional: field.safeParse(undefined).success,
    secret: (adapter.secretFields as readonly string[]).includes(name),
  }));
}

/**
 * A type's settings, one field each. Editing (`masked` given), a secret field starts blank with its masked value as
 * the hint, and a blank field keeps the stored value.
 */
function ConfigFields({
  type,
  values,
  issues,
  t,
  masked,
}: {
  type: string;
  values: Record<string, string>;
  issues: Issue[];
  t: T;
  masked?: Record<string, unknown>;
}) {
  return (
    <>
      {configFields(type).map((f) => (
        <>
          <label for={`config-${f.name}`}>
            {f.name} {f.optional && <small class="muted">({t("optional")})</small>}
          </label>
          <input
            id={`config-${f.name}`}
            name={`config.${f.name}`}
            type={f.secret ? "password" : "text"}
            autocomplete="off"
            value={values[f.name] ?? ""}
            placeholder={masked && f.secret && masked[f.name] !== undefined ? String(masked[f.name]) : undefined}
            required={!f.optional && masked === undefined}
          />
          <FieldError issues={issues} path={`config.${f.name}`} />
        </>
      ))}
    </>
  );
}

/** The settings a form posted, as the API takes them: blank fields left out. */
function postedConfig(type: string, form: Record<string, unknown>) {
  const posted = Object.fromEntries(configFields(type).map((f) => [f.name, String(form[`config.${f.name}`] ?? "")]));
  const config = Object.fromEntries(
    Object.entries(posted).flatMap(([name, value]) => {
      const v = formValue(value);
      return v === undefined ? [] : [[name, v]];
    }),
  );
  return { posted, config };
}

function DestinationForm({
  t,
  issues,
  values,
}: {
  t: T;
  issues: Issue[];
  values: { name: string; type: string; config: Record<string, string>; filter: string };
}) {
  return (
    <>
      <form method="get" action="/destinations/new" class="card">
        <label for="type">{t("type")}</label>
        <select id="type" name="type" data-submit-on-change>
          {Object.keys(destinationTypes).map((type) => (
            <option value={type} selected={type === values.type}>
              {type}
            </option>
          ))}
        </select>
        <button type="submit">{t("chooseType")}</button>
      </form>
      <form method="post" action="/destinations/new" class="card">
        <input type="hidden" name="type" value={values.type} />
        <label for="name">{t("name")}</label>
        <input id="name" name="name" value={values.name} required />
        <FieldError issues={issues} path="name" />
        <fieldset>
          <legend>
            {t("config")}: {values.type}
          </legend>
          <ConfigFields type={values.type} values={values.config} issues={issues} t={t} />
          <FieldError issues={issues.filter((i) => i.path === "config")} path="config" />
          <FieldError issues={issues} path="type" />
        </fieldset>
        <FilterField value={values.filter} issues={issues} t={t} />
        <button type="submit">{t("create")}</button>
      </form>
    </>
  );
}

/** `/destinations`: list with health, create, and each destination's page with its actions. */
export const destinationPages = new Hono<ConsoleEnv>()
  .get("/destinations", async (c) => {
    const t = c.get("t");
    const db = getDb(c.env.DB);
    const now = Date.now();
    const [rows, day] = await Promise.all([
      db.select().from(destinations).orderBy(asc(destinations.createdAt)).limit(500),
      computeStats(db, {
        since: now - DAY_MS,
        until: now + 1,
        interval: "hour",
        timeZone: c.get("timeZone"),
        limitBytes: getConfig(c.env).d1LimitBytes,
      }),
    ]);
    const countOf = (id: string, status: string) =>
      day.deliveries.find((d) => d.destinationId === id && d.status === status)?.count ?? 0;
    return c.render(
      <>
        <p>
          <a href="/destinations/new" class="button">
            {t("newDestination")}
          </a>
        </p>
        <Table
          head={[t("name"), t("type"), t("health"), t("failures24h"), t("breaker")]}
          rows={rows.map((d) => [
            <a href={`/destinations/${d.id}`}>{d.name}</a>,
            d.type,
            d.enabled ? t("enabled") : `${t("disabled")}${d.disabledReason ? `: ${d.disabledReason}` : ""}`,
            countOf(d.id, "failed"),
            <Breaker circuit={d.circuit} openUntil={d.openUntil} t={t} />,
          ])}
          empty={t("noRows")}
        />
      </>,
      { title: t("destinations") },
    );
  })
  .get("/destinations/new", (c) => {
    const t = c.get("t");
    const chosen = c.req.query("type") ?? "";
    const type = isDestinationTypeName(chosen) ? chosen : "slack";
    return c.render(<DestinationForm t={t} issues={[]} values={{ name: "", type, config: {}, filter: "{}" }} />, {
      title: t("newDestination"),
    });
  })
  .post("/destinations/new", async (c) => {
    const t = c.get("t");
    const form = await c.req.parseBody();
    const issues: Issue[] = [];
    const chosen = String(form.type ?? "");
    const type = isDestinationTypeName(chosen) ? chosen : "slack";
    const { posted, config } = postedConfig(type, form);
    const values = { name: String(form.name ?? ""), type, config: posted, filter: String(form.filter ?? "") };
    const input = destinationInput.safeParse({
      name: values.name,
      type: chosen,
      config,
      filter: parseJson(values.filter, "filter", issues),
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
        issues.push(...(err.details as Issue[]));
      }
    }
    c.status(400);
    return c.render(<DestinationForm t={t} issues={issues} values={values} />, { title: t("newDestination") });
  })
  .get("/destinations/:id", async (c) => {
    const t = c.get("t");
    const d = destinationView(await findDestination(c.env, c.req.param("id")));
    return c.render(
      <>
        <dl class="fields card">
          <div>
            <dt>{t("type")}</dt>
            <dd>{d.type}</dd>
          </div>
          <div>
            <dt>{t("status")}</dt>
            <dd>{d.enabled ? t("enabled") : `${t("disabled")} ${d.disabledReason ?? ""}`}</dd>
          </div>
          <div>
            <dt>{t("breaker")}</dt>
            <dd>
              <Breaker circuit={d.circuit} openUntil={d.openUntil} t={t} />
            </dd>
          </div>
          <div>
            <dt>{t("config")}</dt>
            <dd>
              <code>{JSON.stringify(d.config)}</code>
            </dd>
          </div>
        </dl>
        <form method="post" action={`/destinations/${d.id}/filter`} class="card">
          <FilterField value={JSON.stringify(d.filter, null, 2)} issues={[]} t={t} />
          <button type="submit">{t("save")}</button>
        </form>
        <EditForm d={d} issues={[]} t={t} />
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
  })
  .post("/destinations/:id/filter", async (c) => {
    const t = c.get("t");
    const id = c.req.param("id");
    const issues: Issue[] = [];
    const json = parseJson((await c.req.parseBody()).filter, "filter", issues) ?? {};
    const filter = filterSchema.safeParse(json);
    if (!filter.success) issues.push(...fieldIssues(filter.error, ["filter"]));
    if (issues.length > 0 || !filter.success) {
      c.status(400);
      return c.render(<FieldError issues={issues} path="filter" />, { title: t("filter") });
    }
    await updateDestination(c.env, id, { filter: filter.data }, Date.now());
    await recordAudit(c.env.DB, { actor: c.var.actor, action: "destinations.update", target: id });
    return c.redirect(`/destinations/${id}`, 303);
  })
  .post("/destinations/:id/:toggle{enable|disable}", async (c) => {
    const id = c.req.param("id");
    const enabled = c.req.param("toggle") === "enable";
    const { resumedIds } = await updateDestination(c.env, id, { enabled }, Date.now());
    enqueueLater(c.executionCtx, c.env.DELIVERY_QUEUE, resumedIds, { destinationId: id });
    await recordAudit(c.env.DB, { actor: c.var.actor, action: "destinations.update", target: id });
    return c.redirect(`/destinations/${id}`, 303);
  })
  .post("/destinations/:id/test", async (c) => {
    const t = c.get("t");
    const destination = await findDestination(c.env, c.req.param("id"));
    const event = z
      .enum(eventTypes)
      .catch("call.reported")
      .parse((await c.req.parseBody()).event);
    const result = await testSend(destination, getConfig(c.env).deliveryTimeoutMs, event);
    await recordAudit(c.env.DB, { actor: c.var.actor, action: "destinations.test", target: destination.id });
    return c.render(
      <section class="card">
        <h2>
          {t("testResult")}: {event}
        </h2>
        <p data-verdict={result.verdict}>
          {result.verdict} {result.statusCode ?? ""} ({result.durationMs} ms)
        </p>
        <pre>{result.responseBody ?? result.error ?? ""}</pre>
        <a href={`/destinations/${destination.id}`}>{destination.name}</a>
      </section>,
      { title: `${t("testSend")}: ${destination.name}` },
    );
  })
  .post("/destinations/:id/edit", async (c) => {
    const t = c.get("t");
    const current = await findDestination(c.env, c.req.param("id"));
    const form = await c.req.parseBody({ all: true });
    const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
    const sourceIds = String(form.sourceIds ?? "")
      .split(",")
      .map((id) => id.trim())
      .filter((id) => id !== "");
    const template = String(form.template ?? "");
    const { posted, config } = postedConfig(current.type, form);
    const patch = destinationPatch.safeParse({
      config: Object.keys(config).length === 0 ? undefined : config,
      events: list(form.events),
      options: Object.fromEntries(
        optionNames.flatMap((name) => {
          const value = formValue(form[`options.${name}`]);
          return value === undefined ? [] : [[name, value]];
        }),
      ),
      sourceIds,
      template: template.trim() === "" ? null : template,
    });
    const issues: Issue[] = patch.success ? [] : fieldIssues(patch.error);
    if (patch.success) {
      try {
        await updateDestination(c.env, current.id, patch.data, Date.now());
        await recordAudit(c.env.DB, { actor: c.var.actor, action: "destinations.update", target: current.id });
        return c.redirect(`/destinations/${current.id}`, 303);
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== "validation_failed") throw err;
        issues.push(...((err.details as Issue[] | undefined) ?? [{ path: "", message: err.message }]));
      }
    }
    c.status(400);
    return c.render(<EditForm d={{ ...destinationView(current), sourceIds }} issues={issues} t={t} posted={posted} />, {
      title: `${t("edit")}: ${current.name}`,
    });
  })
  .post("/destinations/:id/retry", async (c) => {
    const t = c.get("t");
    const destination = await findDestination(c.env, c.req.param("id"));
    if (!destination.enabled) {
      throw new AppError("conflict", `Destination ${destination.name} is disabled: enable it first`);
    }
    const form = z
      .object({
        cursor: z.preprocess((v) => (v === "" ? undefined : v), cursorParam(retryCursor)),
        retried: z.coerce.number().int().min(0).default(0),
      })
      .parse(await c.req.parseBody());
    const { ids, nextCursor } = await retryNow(
      c.env,
      { destinationId: destination.id, statuses: retryableStatuses, cursor: form.cursor },
      Date.now(),
    );
    if (form.cursor === undefined) {
      await recordAudit(c.env.DB, { actor: c.var.actor, action: "destinations.retry", target: destination.id });
    }
    const retried = form.retried + ids.length;
    return c.render(
      <section class="card" aria-live="polite">
        <p data-retry-complete={String(nextCursor === null)}>
          {t("retried", { n: retried })} {nextCursor === null ? t("done") : "…"}
        </p>
        {nextCursor !== null && (
          <RetryAllForm destinationId={destination.id} t={t} cursor={nextCursor} retried={retried} />
        )}
        <a href={`/deliveries?destinationId=${encodeURIComponent(destination.id)}`}>{t("deliveries")}</a>
      </section>,
      { title: `${t("retryAll")}: ${destination.name}` },
    );
  })
  .post("/destinations/:id/rotate-secret", async (c) => {
    const t = c.get("t");
    const destination = await findDestination(c.env, c.req.param("id"));
    const { secret } = await rotateSecret(getDb(c.env.DB), destination, Date.now());
    await recordAudit(c.env.DB, { actor: c.var.actor, action: "destinations.rotate-secret", target: destination.id });
    return c.render(<SecretOnce secret={secret} destination={destination} t={t} />, {
      title: `${t("rotateSecret")}: ${destination.name}`,
    });
  })
  .post("/destinations/:id/replay", async (c) => {
    const t = c.get("t");
    const destination = await findDestination(c.env, c.req.param("id"));
    const form = replayForm.parse(await c.req.parseBody());
    const since = zonedMidnight(form.since, c.get("timeZone"));
    const until = zonedMidnight(form.until, c.get("timeZone")) + DAY_MS;
    if (!(since < until)) throw new AppError("validation_failed", "The window must end after it starts");
    const { pendingIds, ...chunk } = await replayCalls(
      c.env.DB,
      destination,
      { since, until, cursor: form.cursor },
      Date.now(),
    );
    enqueueLater(c.executionCtx, c.env.DELIVERY_QUEUE, pendingIds, { destinationId: destination.id });
    if (form.cursor === undefined) {
      await recordAudit(c.env.DB, { actor: c.var.actor, action: "destinations.replay", target: destination.id });
    }
    const created = form.created + chunk.created;
    const scanned = form.scanned + chunk.scanned;
    return c.render(
      <section class="card" aria-live="polite">
        <p data-replay-complete={String(chunk.complete)}>
          {t("replay")}: {scanned} {t("callsCount")}, {created} {t("deliveries")}. {chunk.complete ? t("done") : "…"}
        </p>
        {!chunk.complete && chunk.nextCursor && (
          <form method="post" action={`/destinations/${destination.id}/replay`} data-auto-submit>
            <input type="hidden" name="since" value={form.since} />
            <input type="hidden" name="until" value={form.until} />
            <input type="hidden" name="cursor" value={chunk.nextCursor} />
            <input type="hidden" name="created" value={String(created)} />
            <input type="hidden" name="scanned" value={String(scanned)} />
            <button type="submit">{t("nextPage")}</button>
          </form>
        )}
        <a href={`/destinations/${destination.id}`}>{destination.name}</a>
      </section>,
      { title: `${t("replay")}: ${destination.name}` },
    );
  })
  .post("/destinations/:id/delete", async (c) => {
    const destination = await findDestination(c.env, c.req.param("id"));
    const confirm = (await c.req.parseBody()).confirm;
    if (confirm !== destination.name) {
      throw new AppError("bad_request", "Type the destination's name exactly to confirm deletion");
    }
    await deleteDestination(c.env, destination.id, Date.now());
    await recordAudit(c.env.DB, { actor: c.var.actor, action: "destinations.delete", target: destination.id });
    return c.redirect("/destinations", 303);
  })
  .post("/filters/preview", async (c) => {
    const body = await c.req
      .json<{ filter?: unknown; sourceIds?: unknown }>()
      .catch(() => ({}) as { filter?: unknown });
    const filter = filterSchema.safeParse(body.filter ?? {});
    if (!filter.success)
      return c.json(
        { error: { code: "validation_failed", message: filter.error.issues[0]?.message ?? "invalid filter" } },
        400,
      );
    return c.json(await previewFilter(getDb(c.env.DB), filter.data), 200);
  });
