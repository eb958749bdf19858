import { Hono } from "hono";
import { DETAILS_READ, getDeliveryDetail, resendDelivery } from "../../http/admin/deliveries";
import { getConfig } from "../../lib/config";
import { maskPhone } from "../../lib/mask";
import { retryableStatuses } from "../../pipeline/delivery/retry-now";
import { recordAudit } from "../../storage/audit-record";
import { StatusBadge } from "../components/status-badge";
import { Time } from "../components/time";
import type { ConsoleEnv } from "../shell/env";
import type { T } from "../shell/i18n";

type Detail = Awaited<ReturnType<typeof getDeliveryDetail>>;
type Attempt = Detail["attemptLog"][number];
type Entry = Detail["timeline"][number];

const pageOf = (id: string) => `/deliveries/${encodeURIComponent(id)}`;

/** A body as sent or received: JSON indented, anything else as it is. */
function readable(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

const headerLines = (headers: Record<string, string>) =>
  Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join("\n");

function TimelineEntry({ entry, attemptNo, t }: { entry: Entry; attemptNo: number; t: T }) {
  switch (entry.kind) {
    case "planned":
      return (
        <li data-timeline="planned">
          <Time at={entry.at} /> {t("tl_planned")}
        </li>
      );
    case "attempt":
      return (
        <li data-timeline="attempt" data-outcome={entry.outcome}>
          <Time at={entry.at} /> <strong>{t("tl_attempt", { n: attemptNo })}</strong>: {t(`attempt_${entry.outcome}`)}
          {entry.statusCode === null ? ` · ${t("noAnswer")}` : ` · HTTP ${entry.statusCode}`} · {entry.durationMs} ms
          {entry.error !== null && <span class="muted"> · {entry.error}</span>}
        </li>
      );
    case "wait":
      return (
        <li data-timeline="wait" data-reason={entry.reason}>
          {t("tl_wait")} <Time at={entry.until} />, {t("because")}: {t(`wait_${entry.reason}`)}
        </li>
      );
    case "next":
      return (
        <li data-timeline="next" data-reason={entry.reason}>
          <strong>{t("nextAttempt")}</strong> <Time at={entry.at} />: {t(`next_${entry.reason}`)}
          {entry.breakerOpenUntil !== null && (
            <>
              {" "}
              <Time at={entry.breakerOpenUntil} />
            </>
          )}
        </li>
      );
  }
}

/** Text of an attempt as the page shows it: the call's callee masked (the call's page reveals it, audited). */
type Shown = (text: string) => string;

function AttemptDetail({
  attempt,
  n,
  t,
  rawDays,
  shown,
}: {
  attempt: Attempt;
  n: number;
  t: T;
  rawDays: number;
  shown: Shown;
}) {
  const { detail } = attempt;
  return (
    <article class="attempt" data-attempt={n} data-detail={attempt.detailStatus}>
      <h3>
        {t("tl_attempt", { n })} · <Time at={attempt.attemptedAt} /> · {t(`attempt_${attempt.outcome}`)}{" "}
        {attempt.statusCode ?? ""} · {attempt.durationMs} ms
      </h3>
      {attempt.detailStatus === "not_kept" && <p class="muted">{t("detailsNotKept", { n: rawDays })}</p>}
      {attempt.detailStatus === "none" && <p class="muted">{t("detailsNone")}</p>}
      {attempt.detailStatus === "not_read" && <p class="muted">{t("detailsNotRead", { n: DETAILS_READ })}</p>}
      {detail && (
        <div class="exchange">
          <section aria-label={`${t("requestAsSent")} ${n}`}>
            <h4>{t("requestAsSent")}</h4>
            <pre tabindex={0} data-part="request-line">{`${detail.request.method} ${detail.request.url}`}</pre>
            <h5>{t("headers")}</h5>
            <pre tabindex={0} data-part="request-headers">
              {shown(headerLines(detail.request.headers))}
            </pre>
            <h5>{t("body")}</h5>
            <pre tabindex={0} data-part="request-body">
              {shown(readable(detail.request.body))}
            </pre>
          </section>
          <section aria-label={`${t("answer")} ${n}`}>
            <h4>{t("answer")}</h4>
            {detail.answer === null ? (
              <p data-part="answer-status">
                {t("noAnswer")}: {shown(detail.error ?? "")}
              </p>
            ) : (
              <>
                <p data-part="answer-status">
                  HTTP {detail.answer.status} · {detail.durationMs} ms
                </p>
                <h5>{t("headers")}</h5>
                <pre tabindex={0} data-part="answer-headers">
                  {shown(headerLines(detail.answer.headers))}
                </pre>
                <h5>{t("body")}</h5>
                <pre tabindex={0} data-part="answer-body">
                  {shown(readable(detail.answer.body))}
                </pre>
              </>
            )}
          </section>
        </div>
      )}
    </article>
  );
}

/** `/deliveries/:id`: a delivery's timeline and every attempt in full, retry now, force-resend (asks first). */
export const deliveryPage = new Hono<ConsoleEnv>()
  .get("/deliveries/:id", async (c) => {
    const t = c.get("t");
    const d = await getDeliveryDetail(c.env, c.req.param("id"), Date.now());
    const self = pageOf(d.id);
    const { callee } = d;
    const masked = maskPhone(callee);
    const shown: Shown = (text) => (callee && masked && callee.length >= 4 ? text.split(callee).join(masked) : text);
    let attemptNo = 0;
    const numbered = d.timeline.map((entry) => ({ entry, n: entry.kind === "attempt" ? ++attemptNo : attemptNo }));
    return c.render(
      <>
        <section class="card" aria-labelledby="delivery-summary">
          <h2 id="delivery-summary">
            <a href={`/destinations/${encodeURIComponent(d.destinationId)}`}>{d.destinationName ?? d.destinationId}</a>{" "}
            <StatusBadge status={d.status} t={t} />
          </h2>
          <dl class="fields">
            <div>
              <dt>{t("voiceId")}</dt>
              <dd>{d.voiceId}</dd>
            </div>
            <div>
              <dt>{t("attempts")}</dt>
              <dd>{d.attempts}</dd>
            </div>
            <div>
              <dt>{t("time")}</dt>
              <dd>
                <Time at={d.createdAt} />
              </dd>
            </div>
            <div>
              <dt>{t("nextAttempt")}</dt>
              <dd>
                <Time at={d.status === "pending" || d.status === "retrying" ? d.nextAttemptAt : null} />
              </dd>
            </div>
            <div>
              <dt>{t("deliveredAt")}</dt>
              <dd>
                <Time at={d.deliveredAt} />
              </dd>
            </div>
            <div>
              <dt>{t("lastAnswer")}</dt>
              <dd>{d.lastError ?? d.lastStatusCode ?? "—"}</dd>
            </div>
          </dl>
          <div class="actions">
            {(retryableStatuses as readonly string[]).includes(d.status) && (
              <form method="post" action={`${self}/retry`}>
                <input type="hidden" name="back" value={self} />
                <button type="submit">{t("retryNow")}</button>
              </form>
            )}
            {d.status === "delivered" && (
              <a class="button" href={`${self}/resend`}>
                {t("forceResend")}
              </a>
            )}
            {d.callId !== null && d.sourceId !== "" && (
              <a class="button" href={`/calls/${encodeURIComponent(d.sourceId)}/${encodeURIComponent(d.voiceId)}`}>
                {t("openCall")}
              </a>
            )}
          </div>
        </section>
        <section class="card" aria-labelledby="timeline">
          <h2 id="timeline">{t("timeline")}</h2>
          <ol class="timeline">
            {numbered.map(({ entry, n }) => (
              <TimelineEntry entry={entry} attemptNo={n} t={t} />
            ))}
          </ol>
        </section>
        <section class="card" aria-labelledby="attempts">
          <h2 id="attempts">{t("attemptsInFull")}</h2>
          <p class="muted">
            {t("redactedNote")} {t("calleeMaskedHere")}
          </p>
          {d.attemptLog.length === 0 && <p class="empty">{t("noAttempts")}</p>}
          {d.attemptLog
            .map((a, i) => ({ a, n: i + 1 }))
            .reverse()
            .map(({ a, n }) => (
              <AttemptDetail attempt={a} n={n} t={t} rawDays={getConfig(c.env).rawRetentionDays} shown={shown} />
            ))}
        </section>
      </>,
      { title: `${t("delivery")}: ${d.id}` },
    );
  })
  .get("/deliveries/:id/resend", async (c) => {
    const t = c.get("t");
    const id = c.req.param("id");
    return c.render(
      <section class="card" aria-live="polite">
        <p>{t("resendQuestion")}</p>
        <form method="post" action={`${pageOf(id)}/resend`} class="inline">
          <button type="submit">{t("resendConfirm")}</button> <a href={pageOf(id)}>{t("cancel")}</a>
        </form>
      </section>,
      { title: `${t("forceResend").replace("…", "")}: ${id}` },
    );
  })
  .post("/deliveries/:id/resend", async (c) => {
    const id = c.req.param("id");
    await resendDelivery(c.env, id, Date.now());
    await recordAudit(c.env.DB, { actor: c.var.actor, action: "deliveries.resend", target: id });
    return c.redirect(pageOf(id), 303);
  });
