import type { Context } from "hono";
import { getCallDetail } from "../../http/admin/calls";
import { explainCall } from "../../http/admin/calls-explain";
import { maskPhone } from "../../lib/mask";
import type { NormalizedCall } from "../../model/calls/fields";
import { getDb } from "../../storage/db/client";
import { CallValue } from "../components/call-value";
import { EmptyState } from "../components/empty-state";
import { StatusBadge } from "../components/status-badge";
import { Table } from "../components/table";
import { Time } from "../components/time";
import { type CallFieldGroup, callFieldGroups, callFields, fieldLabel, fieldMeaning } from "../shell/call-fields";
import type { ConsoleEnv } from "../shell/env";

const fieldNames = Object.keys(callFields) as (keyof NormalizedCall)[];

function FieldGroup({
  call,
  group,
  reveal,
  c,
}: {
  call: NormalizedCall;
  group: CallFieldGroup;
  reveal: boolean;
  c: Context<ConsoleEnv>;
}) {
  const t = c.get("t");
  const lang = c.get("lang");
  return (
    <section class="card" aria-labelledby={`group-${group}`}>
      <h2 id={`group-${group}`}>{t(`group_${group}`)}</h2>
      <dl class="fields">
        {fieldNames
          .filter((name) => callFields[name].group === group)
          .map((name) => (
            <div data-field={name}>
              <dt>{fieldLabel(name, lang)}</dt>
              <dd>
                <CallValue call={call} name={name} reveal={reveal} t={t} />
                <small class="muted meaning">
                  {fieldMeaning(name, lang)} <code>{name}</code>
                </small>
              </dd>
            </div>
          ))}
      </dl>
    </section>
  );
}

/** A call's page: grouped fields, why (not) forwarded, its deliveries, then the record as received. */
export async function callPage(c: Context<ConsoleEnv>, reveal: boolean) {
  const t = c.get("t");
  const sourceId = c.req.param("sourceId") as string;
  const voiceId = c.req.param("voiceId") as string;
  // Both answer the same 404 for an unknown call; read side by side.
  const [call, explained] = await Promise.all([
    getCallDetail(c.env, sourceId, voiceId),
    explainCall(getDb(c.env.DB), sourceId, voiceId),
  ]);
  const { raw, deliveries } = call;
  const shownRaw =
    !reveal && raw !== null && typeof raw === "object" && "callee" in raw
      ? { ...raw, callee: maskPhone(typeof raw.callee === "string" ? raw.callee : null) }
      : raw;
  const self = `/calls/${encodeURIComponent(call.sourceId)}/${encodeURIComponent(call.voiceId)}`;
  return c.render(
    <>
      {!reveal && call.callee !== null && (
        <form method="post" action={`${self}/reveal`} class="inline">
          <button type="submit">{t("revealCallee")}</button> <small class="muted">{t("revealAudited")}</small>
        </form>
      )}
      {callFieldGroups.map((group) => (
        <FieldGroup call={call} group={group} reveal={reveal} c={c} />
      ))}
      <section class="card" aria-labelledby="why">
        <h2 id="why">{t("why")}</h2>
        <Table
          label={t("why")}
          head={[t("destination"), t("type"), t("outcome")]}
          rows={explained.map((e) => [
            <a href={`/destinations/${e.destinationId}`}>{e.name}</a>,
            e.type,
            <span data-explain={e.matched ? "matched" : "not-matched"}>
              {e.matched ? t("forwarded") : `${t("notForwarded")}: ${e.reason}`}
            </span>,
          ])}
          empty={t("noExplain")}
          next={[{ href: "/destinations/new", label: t("newDestination") }]}
        />
      </section>
      <section class="card" aria-labelledby="call-deliveries">
        <h2 id="call-deliveries">{t("deliveries")}</h2>
        {deliveries.length === 0 && <EmptyState text={t("noCallDeliveries")} />}
        {deliveries.map((d) => (
          <article class="delivery">
            <h3>
              <a href={`/destinations/${d.destinationId}`}>{d.destinationName ?? d.destinationId}</a>{" "}
              <StatusBadge status={d.status} t={t} />{" "}
              <a href={`/deliveries/${encodeURIComponent(d.id)}`}>{t("deliveryDetails")}</a>
            </h3>
            <Table
              label={`${t("attempts")}: ${d.destinationName ?? d.destinationId}`}
              head={[t("time"), t("outcome"), t("duration"), t("response")]}
              rows={d.attemptLog.map((a) => [
                <Time at={a.attemptedAt} />,
                <>
                  {t(`attempt_${a.outcome}`)} {a.statusCode ?? ""}
                </>,
                `${a.durationMs} ms`,
                <code>{a.responseBody ?? a.error ?? ""}</code>,
              ])}
              empty={t("noAttempts")}
            />
          </article>
        ))}
      </section>
      <section class="card" aria-labelledby="raw">
        <h2 id="raw">{t("rawRecord")}</h2>
        <pre tabindex={0}>{JSON.stringify(shownRaw, null, 2)}</pre>
      </section>
    </>,
    { title: `${t("call")}: ${call.voiceId}` },
  );
}
