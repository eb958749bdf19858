import type { Config } from "../lib/config";
import { signRecordingToken } from "./token";

/**
 * The "Recording" link a chat message carries for a call with a `recordingFileId`: callrelay's own
 * `/recordings/:token`, valid for `RECORDING_LINK_DAYS`. `undefined` without platform credentials or `PUBLIC_URL`.
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
  return `${config.publicUrl}/recordings/${token}`;
}
