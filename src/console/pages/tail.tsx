import { Hono } from "hono";
import { z } from "zod";
import { cursorParam, encodeCursor } from "../../lib/cursor";
import { getDb } from "../../storage/db/client";
import { readTail, type TailCursor } from "../../storage/tail";
import { LiveStatus } from "../components/live-status";
import { StatusBadge } from "../components/status-badge";
import { Table } from "../components/table";
import { Time } from "../components/time";
import type { ConsoleEnv } from "../shell/env";
import type { T } from "../shell/i18n";
import { isLiveRequest, liveFragment } from "../shell/live";

const tailCursor = cursorParam(z.object({ p: z.number().int().min(0), d: z.number().int().min(0) }));
const START: TailCursor = { p: 0, d: 0 };

type Tail = Awaited<ReturnType<typeof readTail>>;

/** At most this many rows of each kind stay on screen as refreshes put new ones on top. */
const ON_SCREEN = 100;

function TailParts({ tail, t }: { tail: Tail; t: T }) {
  return (
    <>
      <section aria-labelledby="tail-pushes">
        <h2 id="tail-pushes">{t("tailPushes")}</h2>
        <Table
          live={{ name: "tail-pushes", prepend: { max: ON_SCREEN } }}
          label={t("tailPushes")}
          next={[{ href: "/sources", label: t("sources") }]}
          head={[t("received"), t("source"), t("accepted"), t("rejected"), t("status")]}
          empty={t("tailNoPushes")}
          keys={tail.pushes.map((p) => p.id)}
          rows={tail.pushes.map((p) => [
            <a href={`/pushes/${encodeURIComponent(p.id)}`}>
              <Time at={p.receivedAt} />
            </a>,
            p.sourceId,
            p.accepted,
            p.rejectedCount,
            <StatusBadge status={p.status} t={t} />,
          ])}
        />
      </section>
      <section aria-labelledby="tail-deliveries">
        <h2 id="tail-deliveries">{t("tailDeliveries")}</h2>
        <Table
          live={{ name: "tail-deliveries", prepend: { max: ON_SCREEN } }}
          label={t("tailDeliveries")}
          next={[{ href: "/destinations/new", label: t("newDestination") }]}
          head={[t("time"), t("destination"), t("voiceId"), t("status"), t("attempts"), t("lastAnswer")]}
          empty={t("tailNoDeliveries")}
          keys={tail.deliveries.map((d) => d.id)}
          rows={tail.deliveries.map((d) => [
            <Time at={d.createdAt} />,
            <a href={`/destinations/${encodeURIComponent(d.destinationId)}`}>{d.destinationName ?? d.destinationId}</a>,
            d.eventId === null ? (
              <a href={`/calls/${encodeURIComponent(d.sourceId)}/${encodeURIComponent(d.voiceId)}`}>{d.voiceId}</a>
            ) : (
              d.voiceId
            ),
            <StatusBadge status={d.status} t={t} />,
            d.attempts,
            d.lastError ?? d.lastStatusCode ?? "",
          ])}
        />
      </section>
    </>
  );
}

/** `/tail`: pushes and deliveries as they arrive; a refresh reads only what came after its cursor. */
export const tailPages = new Hono<ConsoleEnv>().get("/tail", async (c) => {
  const t = c.get("t");
  const after = tailCursor.catch(undefined).parse(c.req.query("after")) ?? START;
  const tail = await readTail(getDb(c.env.DB), after);
  const next = `/tail?after=${encodeCursor({ p: tail.next.p, d: tail.next.d })}`;
  const parts = <TailParts tail={tail} t={t} />;
  if (isLiveRequest(c)) return liveFragment(c, parts, next);
  return c.render(
    <>
      <p>{t("tailIntro")}</p>
      <LiveStatus src={next} now={Date.now()} t={t} />
      {parts}
    </>,
    { title: t("tail") },
  );
});
