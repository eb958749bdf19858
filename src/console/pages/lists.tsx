import { Hono } from "hono";
import { z } from "zod";
import { findPush, listPushes, reprocessPush } from "../../http/admin/pushes";
import { createSource, deleteSource, listSources, rotateSourceToken } from "../../http/admin/sources";
import { cursorParam } from "../../lib/cursor";
import { AppError } from "../../lib/errors";
import { enqueueLater } from "../../pipeline/dispatch/enqueue";
import { listAudit } from "../../storage/audit-list";
import { recordAudit } from "../../storage/audit-record";
import { getDb } from "../../storage/db/client";
import { CopyField } from "../components/copy-button";
import { EmptyState } from "../components/empty-state";
import { NextPage } from "../components/next-page";
import { StatusBadge } from "../components/status-badge";
import { Table } from "../components/table";
import { Time } from "../components/time";
import type { ConsoleEnv } from "../shell/env";

const PAGE = 50;
const keyCursor = cursorParam(z.object({ createdAt: z.number().int(), id: z.string() }));
const pushCursor = cursorParam(z.object({ receivedAt: z.number().int(), id: z.string() }));

function SourceToken({ source, t }: { source: { id: string; pushUrl: string }; t: ConsoleEnv["Variables"]["t"] }) {
  return (
    <section class="card">
      <p>{t("secretOnce")}</p>
      <CopyField label={t("pushUrl")} value={source.pushUrl} id="push-url" copy={t("copy")} />
      <p>
        <a href="/sources">{t("sources")}</a>
      </p>
    </section>
  );
}

/** `/sources`, `/pushes` and `/audit`: the logs, newest first, a page at a time. */
export const listPages = new Hono<ConsoleEnv>()
  .get("/sources", async (c) => {
    const t = c.get("t");
    const cursor = keyCursor.catch(undefined).parse(c.req.query("cursor"));
    const page = await listSources(c.env, { limit: PAGE, cursor });
    const origin = new URL(c.req.url).origin;
    return c.render(
      <>
        <p class="muted">
          {t("pushUrl")}: <code>{origin}/push/&lt;token&gt;</code>
        </p>
        <Table
          label={t("sources")}
          head={[t("name"), t("lastPush"), t("pushesCount"), t("callsCount"), t("action")]}
          rows={page.data.map((s) => [
            s.name,
            <Time at={s.lastPushAt} />,
            s.pushes,
            s.calls,
            !s.builtIn && (
              <div class="actions">
                <form method="post" action={`/sources/${s.id}/rotate-token`}>
                  <label>
                    <input type="checkbox" name="confirm" value="yes" required /> {t("confirm")}
                  </label>
                  <button type="submit">{t("rotateToken")}</button>
                </form>
                <form method="post" action={`/sources/${s.id}/delete`}>
                  <label>
                    <input type="checkbox" name="confirm" value="yes" required /> {t("confirm")}
                  </label>
                  <button type="submit" class="danger">
                    {t("delete")}
                  </button>
                </form>
              </div>
            ),
          ])}
          empty={t("noSources")}
        />
        <form method="post" action="/sources/new" class="card">
          <label for="source-name">{t("newSource")}</label>
          <input id="source-name" name="name" required maxlength={100} />
          <button type="submit">{t("create")}</button>
        </form>
        <NextPage url={c.req.url} cursor={page.nextCursor} label={t("nextPage")} />
      </>,
      { title: t("sources") },
    );
  })
  .post("/sources/new", async (c) => {
    const name = String((await c.req.parseBody()).name ?? "").trim();
    if (name === "" || name.length > 100) throw new AppError("validation_failed", "name: 1 to 100 characters");
    const created = await createSource(c.env, name, c.req.url, Date.now());
    await recordAudit(c.env.DB, { actor: c.var.actor, action: "sources.create", target: created.id });
    return c.render(<SourceToken source={created} t={c.get("t")} />, { title: created.name });
  })
  .post("/sources/:id/:verb{rotate-token|delete}", async (c) => {
    const id = c.req.param("id");
    const verb = c.req.param("verb");
    if ((await c.req.parseBody()).confirm !== "yes") throw new AppError("bad_request", "Tick the box to confirm");
    await recordAudit(c.env.DB, { actor: c.var.actor, action: `sources.${verb}`, target: id });
    if (verb === "delete") {
      await deleteSource(c.env, id);
      return c.redirect("/sources", 303);
    }
    const rotated = await rotateSourceToken(c.env, id, c.req.url);
    return c.render(<SourceToken source={rotated} t={c.get("t")} />, { title: rotated.name });
  })
  .get("/pushes/:id", async (c) => {
    const t = c.get("t");
    const { push } = await findPush(c.env, c.req.param("id"));
    return c.render(
      <>
        <dl class="fields card">
          {(
            [
              "id",
              "sourceId",
              "status",
              "records",
              "accepted",
              "rejectedCount",
              "bytes",
              "error",
              "reprocessedFrom",
            ] as const
          ).map((k) => (
            <div>
              <dt>{k}</dt>
              <dd>{push[k] === null ? "—" : String(push[k])}</dd>
            </div>
          ))}
        </dl>
        <section class="card">
          <h2>{t("rejected")}</h2>
          {push.rejected.length === 0 && <EmptyState text={t("noRejected")} />}
          <ul>
            {push.rejected.map((r) => (
              <li>
                <code>{JSON.stringify(r)}</code>
              </li>
            ))}
          </ul>
        </section>
        <form method="post" action={`/pushes/${push.id}/reprocess`}>
          <button type="submit">{t("reprocess")}</button>
        </form>
      </>,
      { title: `${t("pushes")}: ${push.id}` },
    );
  })
  .post("/pushes/:id/reprocess", async (c) => {
    const { result } = await reprocessPush(c.env, c.req.param("id"), Date.now());
    enqueueLater(c.executionCtx, c.env.DELIVERY_QUEUE, result.deliveryIds, { pushId: result.pushId });
    await recordAudit(c.env.DB, { actor: c.var.actor, action: "pushes.reprocess", target: c.req.param("id") });
    return c.redirect(`/pushes/${result.pushId}`, 303);
  })
  .get("/pushes", async (c) => {
    const t = c.get("t");
    const cursor = pushCursor.catch(undefined).parse(c.req.query("cursor"));
    const page = await listPushes(getDb(c.env.DB), { limit: PAGE, cursor });
    return c.render(
      <>
        <Table
          label={t("pushes")}
          head={[t("received"), t("source"), t("status"), t("records"), t("rejected"), t("bytes"), t("error")]}
          rows={page.data.map((p) => [
            <a href={`/pushes/${p.id}`}>
              <Time at={p.receivedAt} />
            </a>,
            p.sourceId,
            <StatusBadge status={p.status} t={t} />,
            p.records,
            p.rejectedCount,
            p.bytes,
            p.error ?? "",
          ])}
          empty={t("noPushes")}
          next={[
            { href: "/sources", label: t("sources") },
            { href: "/", label: t("overview") },
          ]}
        />
        <NextPage url={c.req.url} cursor={page.nextCursor} label={t("nextPage")} />
      </>,
      { title: t("pushes") },
    );
  })
  .get("/audit", async (c) => {
    const t = c.get("t");
    const before = z.coerce
      .number()
      .int()
      .optional()
      .catch(undefined)
      .parse(c.req.query("cursor") || undefined);
    const page = await listAudit(getDb(c.env.DB), { limit: PAGE, before });
    return c.render(
      <>
        <Table
          label={t("audit")}
          head={[t("time"), t("actor"), t("action"), t("target"), t("outcome")]}
          rows={page.entries.map((e) => [<Time at={e.at} />, e.actor, e.action, e.target ?? "", e.outcome])}
          empty={t("noAudit")}
        />
        <NextPage url={c.req.url} cursor={page.next === null ? null : String(page.next)} label={t("nextPage")} />
      </>,
      { title: t("audit") },
    );
  });
