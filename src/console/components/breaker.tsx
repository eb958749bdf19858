import type { T } from "../shell/i18n";
import { Time } from "./time";

/**
 * A destination's circuit breaker in words: until when it holds deliveries and because of what, with a button
 * that resumes it.
 */
export function Breaker({
  id,
  circuit,
  openUntil,
  failStreak,
  t,
}: {
  id: string;
  circuit: string;
  openUntil: number | string | null;
  failStreak: number;
  t: T;
}) {
  const label = t(`circuit_${circuit}` as "circuit_closed");
  if (circuit === "closed") return <span data-circuit={circuit}>{label}</span>;
  return (
    <span data-circuit={circuit} class="breaker">
      <span class="badge" data-status="failed">
        {label}
      </span>{" "}
      {openUntil !== null && (
        <>
          {t("openUntil")} <Time at={openUntil} />{" "}
        </>
      )}
      {t("breakerBecause", { n: failStreak })}
      <form method="post" action={`/destinations/${id}/resume`} class="inline">
        <button type="submit">{t("resume")}</button>
      </form>
    </span>
  );
}
