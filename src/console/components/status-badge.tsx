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
