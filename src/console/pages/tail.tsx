import { Hono } from "hono";
import { z } from "zod";
import { cursorParam, encodeCursor } from "../../lib/cursor";
import { getDb } from "../../storage/db/client";
import { readTail, type TailCursor } from "../../storage/tail";
import { LiveStatus } from "../components/live-status";
import { StatusBadge } from "../components/status-badge";
import { Time } from "../components/time";
import type { ConsoleEnv } from "../shell/env";
import type { T } from "../shell/i18n";
import { isLiveRequest, liveFragment } from "../shell/live";

const tailCursor = cursorParam(z.object({ p: z.number().int().min(0), d: z.number().int().min(0) }));
const START: TailCursor = { p: 0, d: 0 };

type Tail = Awaited<ReturnType<typeof readTail>>;

/** Rows newest first; the script puts the rows of each refresh on top (`data-live-prepend`), at most `data-live-max`. */
function TailTable({
  name,
  head,
  rows,
  empty,
}: {
  name: string;
  head: string[];
  rows: { key: string; cells: unknown[] }[];
  empty: string;
}) {
  return (
    <div class="table-wrap" data-live={name} data-live-prepend data-live-max="100">
      <table>
        <thead>
          <tr>
            {head.map((h) => (
              <th scope="col">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr data-key={r.key}>
              {r.cells.map((cell) => (
                <td>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p data-live-empty>{empty}</p>}
    </div>
  );
}

function TailParts({ tail, t }: { tail: Tail; t: T }) {
  return (
    <>
      <section aria-labelledby="tail-pushes">
        <h2 id="tail-pushes">{t("tailPushes")}</h2>
        <TailTable
          name="tail-pushes"
          head={[t("received"), t("source"), t("accepted"), t("rejected"), t("status")]}
          empty={t("tailNoPushes")}
          rows={tail.pushes.map((p) => ({
            key: p.id,
            cells: [
              <a href={`/pushes/${encodeURIComponent(p.id)}`}>
                <Time at={p.receivedAt} />
              </a>,
              p.sourceId,
              p.accepted,
              p.rejectedCount,
              <StatusBadge status={p.status} t={t} />,
            ],
          }))}
        />
      </section>
      <section aria-labelledby="tail-deliveries">
        <h2 id="tail-deliveries">{t("tailDeliveries")}</h2>
        <TailTable
          name="tail-deliveries"
          head={[t("time"), t("destination"), t("voiceId"), t("status"), t("attempts"), t("lastAnswer")]}
          empty={t("tailNoDeliveries")}
          rows={tail.deliveries.map((d) => ({
            key: d.id,
            cells: [
              <Time at={d.createdAt} />,
              <a href={`/destinations/${encodeURIComponent(d.destinationId)}`}>
                {d.destinationName ?? d.destinationId}
              </a>,
              d.eventId === null ? (
                <a href={`/calls/${encodeURIComponent(d.sourceId)}/${encodeURIComponent(d.voiceId)}`}>{d.voiceId}</a>
              ) : (
                d.voiceId
              ),
              <StatusBadge status={d.status} t={t} />,
              d.attempts,
              d.lastError ?? d.lastStatusCode ?? "",
            ],
          }))}
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
