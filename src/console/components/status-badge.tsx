import type { T } from "../shell/i18n";

/** A status as a badge: its colour and its word (never colour alone). */
export function StatusBadge({ status, t }: { status: string; t: T }) {
  const known = ["pending", "delivered", "retrying", "failed", "paused", "stored", "invalid", "too_large"];
  return (
    <span class="badge" data-status={status}>
      {known.includes(status) ? t(`status_${status}` as "status_pending") : status}
    </span>
  );
}

/** Whether a destination is enabled, as a badge, with the reason it was disabled after it. */
export function EnabledBadge({ enabled, reason, t }: { enabled: boolean; reason: string | null; t: T }) {
  return (
    <>
      <span class="badge" data-status={enabled ? "enabled" : "disabled"}>
        {enabled ? t("enabled") : t("disabled")}
      </span>
      {!enabled && reason ? ` ${reason}` : ""}
    </>
  );
}
