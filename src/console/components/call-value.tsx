import { maskPhone } from "../../lib/mask";
import type { NormalizedCall } from "../../model/calls/fields";
import { amountCurrency, callFields, clockDuration } from "../shell/call-fields";
import type { T } from "../shell/i18n";
import { Time } from "./time";

/** One field of a call as it reads: times in the viewer's zone, seconds as `1:05`, amounts with their currency. */
export function CallValue({
  call,
  name,
  reveal,
  t,
}: {
  call: NormalizedCall;
  name: keyof NormalizedCall;
  reveal: boolean;
  t: T;
}) {
  const value = call[name];
  if (value === null || value === undefined || value === "") return <span class="muted">—</span>;
  const kind = callFields[name].kind;
  if (kind === "instant") return <Time at={value as number} />;
  if (kind === "seconds") return <span data-seconds={String(value)}>{clockDuration(Number(value))}</span>;
  if (kind === "callee") return <span data-callee>{reveal ? String(value) : maskPhone(String(value))}</span>;
  if (kind === "quote" || kind === "local" || kind === "eur") {
    return (
      <span data-amount>
        {String(value)} {amountCurrency(kind, call.currency, t("localCurrency"))}
      </span>
    );
  }
  if (typeof value === "boolean") return <span>{value ? t("yes") : t("no")}</span>;
  return <span>{typeof value === "object" ? JSON.stringify(value) : String(value)}</span>;
}
