import { Hono } from "hono";
import { z } from "zod";
import { destinationPatch } from "../../http/admin/destination-input";
import { deleteDestination, findDestination, updateDestination } from "../../http/admin/destination-service";
import { destinationView } from "../../http/admin/destination-view";
import { filterSchema } from "../../http/admin/filter-schema";
import { getConfig } from "../../lib/config";
import { cursorParam } from "../../lib/cursor";
import { AppError } from "../../lib/errors";
import { fieldIssues } from "../../lib/validation";
import { rotateSecret } from "../../messages/destinations/rotate-secret";
import { eventTypes } from "../../model/events/types";
import { previewFilter } from "../../model/filters/preview";
import { replayCalls, replayCursor } from "../../pipeline/delivery/replay";
import { resumeBreaker } from "../../pipeline/delivery/resume";
import { retryableStatuses, retryCursor, retryNow } from "../../pipeline/delivery/retry-now";
import { testSend } from "../../pipeline/delivery/test-send";
import { enqueueLater } from "../../pipeline/dispatch/enqueue";
import { recordAudit } from "../../storage/audit-record";
import { getDb } from "../../storage/db/client";
import { EditForm } from "../components/edit-form";
import { FieldError } from "../components/field-error";
import { RetryAllForm } from "../components/retry-all";
import { SecretOnce } from "../components/secret-once";
import { configSpecs, optionSpecs } from "../shell/destination-fields";
import type { ConsoleEnv } from "../shell/env";
import { parseJsonField, postedSettings } from "../shell/form-fields";
import { zonedMidnight } from "../shell/zoned-date";

/** API errors whose details name form fields: shown at the field. */
const fieldErrorCodes: readonly string[] = ["validation_failed", "credentials_required"];

type Issue = { path: string; message: string };

const DAY_MS = 24 * 3600 * 1000;

/** One chunk of a replay: the window as dates, and where the previous chunk stopped with its running totals. */
const replayForm = z.object({
  since: z.iso.date(),
  until: z.iso.date(),
  cursor: z.preprocess((v) => (v === "" ? undefined : v), cursorParam(replayCursor)),
  created: z.coerce.number().int().min(0).default(0),
  scanned: z.coerce.number().int().min(0).default(0),
});

/** A destination's actions: filter, enable/disable, test send, edit, retry all, rotate secret, replay, delete. */
export const destinationActions = new Hono<ConsoleEnv>()
  .post("/destinations/:id/filter", async (c) => {
    const t = c.get("t");
    const id = c.req.param("id");
    const issues: Issue[] = [];
    const json = parseJsonField((await c.req.parseBody()).filter, "filter", issues) ?? {};
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
    const config = postedSettings(configSpecs(current.type), form, "config.");
    const options = postedSettings(optionSpecs, form, "options.");
    const issues: Issue[] = [...config.issues, ...options.issues];
    const patch = destinationPatch.safeParse({
      config: Object.keys(config.values).length === 0 ? undefined : config.values,
      events: list(form.events),
      options: options.values,
      sourceIds,
      template: template.trim() === "" ? null : template,
    });
    if (!patch.success) issues.push(...fieldIssues(patch.error));
    if (patch.success && issues.length === 0) {
      try {
        await updateDestination(c.env, current.id, patch.data, Date.now());
        await recordAudit(c.env.DB, { actor: c.var.actor, action: "destinations.update", target: current.id });
        return c.redirect(`/destinations/${current.id}`, 303);
      } catch (err) {
        if (!(err instanceof AppError) || !fieldErrorCodes.includes(err.code)) throw err;
        issues.push(...((err.details as Issue[] | undefined) ?? [{ path: "", message: err.message }]));
      }
    }
    c.status(400);
    const d = { ...destinationView(current), sourceIds, events: list(form.events).map(String) };
    return c.render(
      <EditForm
        d={d}
        issues={issues}
        lang={c.get("lang")}
        t={t}
        posted={{ config: config.values, options: { ...(d.options as Record<string, unknown>), ...options.values } }}
      />,
      { title: `${t("edit")}: ${current.name}` },
    );
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
        <a href={`/deliveries?destination=${encodeURIComponent(destination.id)}`}>{t("deliveries")}</a>
      </section>,
      { title: `${t("retryAll")}: ${destination.name}` },
    );
  })
  .post("/destinations/:id/resume", async (c) => {
    const destination = await findDestination(c.env, c.req.param("id"));
    await resumeBreaker(c.env, destination.id, Date.now());
    await recordAudit(c.env.DB, { actor: c.var.actor, action: "destinations.resume", target: destination.id });
    return c.redirect(`/destinations/${destination.id}`, 303);
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
