import type { Config } from "../lib/config";
import { signRecordingToken } from "./recording-token";

/** The longest link a chat message carries: every platform's budget keeps this much room for it. */
export const MAX_RECORDING_LINK = 300;

/** What a link may hold, so that it goes into every platform's markup (Markdown, HTML, mrkdwn) unescaped. */
const plainLink = /^https?:\/\/[\w.:/~-]+$/;

/**
 * The "Recording" link a chat message carries for a call with a `recordingFileId`: callrelay's own
 * `/recordings/:token`, valid for `RECORDING_LINK_DAYS`. `undefined` without platform credentials or `PUBLIC_URL`,
 * and when the link would be longer than {@link MAX_RECORDING_LINK} (a call ID of hundreds of characters) or hold
 * characters a platform's markup would need escaped (a `PUBLIC_URL` with a query).
 */
export async function recordingLink(
  config: Pick<Config, "platformApi" | "recordingLinkDays" | "publicUrl">,
  call: { sourceId: string; voiceId: string; recordingFileId: string | null },
  now: number,
): Promise<string | undefined> {
  if (!config.platformApi || !config.publicUrl || !call.recordingFileId) return undefined;
  const expiresAt = Math.floor(now / 1000) + config.recordingLinkDays * 86_400;
  const token = await signRecordingToken(
    { sourceId: call.sourceId, voiceId: call.voiceId, expiresAt },
    config.platformApi.secret,
  );
  const link = `${config.publicUrl}/recordings/${token}`;
  return link.length <= MAX_RECORDING_LINK && plainLink.test(link) ? link : undefined;
}
