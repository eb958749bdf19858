import type { T } from "../i18n";
import { Time } from "./time";

/** A destination's circuit breaker in words, with until when it holds deliveries. */
export function Breaker({ circuit, openUntil, t }: { circuit: string; openUntil: number | string | null; t: T }) {
  const label = t(`circuit_${circuit}` as "circuit_closed");
  if (circuit === "closed" || openUntil === null) return <span data-circuit={circuit}>{label}</span>;
  return (
    <span data-circuit={circuit}>
      {label}, {t("openUntil")} <Time at={openUntil} />
    </span>
  );
}
