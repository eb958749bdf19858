import type { T } from "../shell/i18n";
import { LIVE_SECONDS } from "../shell/live";
import { Time } from "./time";

/**
 * When the page's figures were read, and (with script) the switch for refreshing them every few seconds. The
 * script polls `src` (the page itself by default) and says how long ago it last refreshed; without script the
 * page says when it was rendered and nothing else changes.
 */
export function LiveStatus({ src, now, t }: { src: string; now: number; t: T }) {
  return (
    <p
      class="live-status muted"
      data-live-src={src}
      data-live-every={String(LIVE_SECONDS)}
      data-refreshed={t("liveRefreshed")}
      data-paused={t("livePaused")}
      data-off={t("liveOff")}
      data-failed={t("liveFailed")}
      data-signed-out={t("liveSignedOut")}
      aria-live="off"
    >
      <span data-live-said>
        {t("liveShownAt")} <Time at={now} />
      </span>{" "}
      <label class="check" data-live-toggle hidden>
        <input type="checkbox" checked /> {t("liveUpdates", { n: LIVE_SECONDS })}
      </label>
    </p>
  );
}
