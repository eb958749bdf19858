import type { T } from "../shell/i18n";

/**
 * "Retry all failed, paused and retrying" for one destination: posts one chunk; the answer carries on from
 * `cursor` (by itself with script, by a button without) and keeps the running total in `retried`.
 */
export function RetryAllForm({
  destinationId,
  t,
  cursor,
  retried = 0,
}: {
  destinationId: string;
  t: T;
  cursor?: string;
  retried?: number;
}) {
  return (
    <form
      method="post"
      action={`/destinations/${encodeURIComponent(destinationId)}/retry`}
      data-auto-submit={cursor === undefined ? undefined : ""}
    >
      {cursor !== undefined && <input type="hidden" name="cursor" value={cursor} />}
      <input type="hidden" name="retried" value={String(retried)} />
      <button type="submit">{cursor === undefined ? t("retryAll") : t("nextPage")}</button>
    </form>
  );
}
