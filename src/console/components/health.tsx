import type { Child } from "hono/jsx";
import type { Health } from "../../model/health";
import { type HealthRange, healthRanges } from "../shell/health-series";
import type { T } from "../shell/i18n";
import { ColumnChart } from "./bar-chart";
import { Time } from "./time";

const ms = (v: number | null) => (v === null ? "—" : Number.isFinite(v) ? `≤ ${v.toLocaleString("en")} ms` : "> 10 s");

/** Delivered among attempts, as a percentage with the counts on hover. */
export function SuccessRate({ health, t }: { health: Health; t: T }) {
  if (health.successRate === null) return <span class="muted">{t("noAttemptsShort")}</span>;
  const pct = (health.successRate * 100).toFixed(health.successRate === 1 ? 0 : 1);
  const attempts = health.delivered + health.failed + health.retried;
  return (
    <span title={t("successOf", { n: health.delivered, m: attempts })} data-success-rate={pct}>
      {pct}%
    </span>
  );
}

/** p50 / p95 latency from the histogram. */
export function Latency({ health }: { health: Health }) {
  return (
    <span data-latency>
      {ms(health.p50)} / {ms(health.p95)}
    </span>
  );
}

/** The window's totals: success rate, latency, and the attempts that delivered, will retry and failed for good. */
export function HealthSummary({ health, t }: { health: Health; t: T }) {
  const counts = [
    ["delivered", "data-delivered", health.delivered],
    ["willRetry", "data-retried", health.retried],
    ["failedForGood", "data-failed", health.failed],
  ] as const;
  return (
    <dl class="fields" data-health-summary>
      <div>
        <dt>{t("successRate")}</dt>
        <dd>
          <SuccessRate health={health} t={t} />
        </dd>
      </div>
      <div>
        <dt>{t("latency")}</dt>
        <dd>
          <Latency health={health} />
        </dd>
      </div>
      {counts.map(([label, attribute, n]) => (
        <div>
          <dt>{t(label)}</dt>
          <dd {...{ [attribute]: String(n) }}>{n}</dd>
        </div>
      ))}
      <div>
        <dt>{t("lastDelivery")}</dt>
        <dd>
          <Time at={health.lastAt} />
        </dd>
      </div>
    </dl>
  );
}

/** The `range` query value, 24 h unless it names another window. */
export function healthRangeOf(value: string | undefined): HealthRange {
  return value !== undefined && value in healthRanges ? (value as HealthRange) : "24h";
}

/** Volume, error rate and p95 latency over the chosen window, with links to the other windows. */
export function HealthCharts({
  range,
  periods,
  t,
  self,
  children,
}: {
  range: HealthRange;
  periods: { start: number; health: Health }[];
  t: T;
  self: string;
  /** Shown under the window's tabs (the window's totals). */
  children?: Child;
}) {
  const label = (start: number) => {
    const iso = new Date(start).toISOString();
    return range === "30d" ? iso.slice(5, 10) : range === "7d" ? iso.slice(5, 13).replace("T", " ") : iso.slice(11, 16);
  };
  const attempts = (h: Health) => h.delivered + h.failed + h.retried;
  return (
    <section class="card" aria-labelledby="health">
      <h2 id="health">{t("health")}</h2>
      <nav class="tabs" aria-label={t("window")}>
        {(Object.keys(healthRanges) as HealthRange[]).map((r) => (
          <a href={`${self}?range=${r}`} aria-current={r === range ? "page" : undefined}>
            {r}
          </a>
        ))}
      </nav>
      {children}
      <div class="charts">
        <figure>
          <figcaption>{t("volume")}</figcaption>
          <ColumnChart
            title={t("volume")}
            every={Math.ceil(periods.length / 6)}
            columns={periods.map((p) => ({ label: label(p.start), value: attempts(p.health) }))}
          />
        </figure>
        <figure>
          <figcaption>{t("errorRate")}</figcaption>
          <ColumnChart
            title={t("errorRate")}
            every={Math.ceil(periods.length / 6)}
            columns={periods.map((p) => ({
              label: label(p.start),
              value:
                attempts(p.health) === 0
                  ? 0
                  : Math.round((100 * (attempts(p.health) - p.health.delivered)) / attempts(p.health)),
            }))}
          />
        </figure>
        <figure>
          <figcaption>{t("latencyP95")}</figcaption>
          <ColumnChart
            title={t("latencyP95")}
            every={Math.ceil(periods.length / 6)}
            columns={periods.map((p) => ({
              label: label(p.start),
              value: p.health.p95 === null ? 0 : Number.isFinite(p.health.p95) ? p.health.p95 : 20_000,
            }))}
          />
        </figure>
      </div>
    </section>
  );
}
