import type { CallReport, NormalizedCall } from "./fields";
import { callDescriptionLabels, callStatusLabels } from "./labels";

/**
 * "Connected" per the platform: `callStatusNew == 1`; for records from before that field existed,
 * `terminationCode == "0"` with an `answerTime`.
 */
export function isConnected(report: Pick<CallReport, "callStatusNew" | "terminationCode" | "answerTime">): boolean {
  if (report.callStatusNew !== null) return report.callStatusNew === 1;
  return report.terminationCode?.trim() === "0" && report.answerTime !== null;
}

/**
 * Adds the derived fields to a read report, in place (no copy: it runs for every record of every push), and
 * returns it as the normalized call. The report must not be used as a plain report afterwards.
 */
export function normalize(report: CallReport, sourceId: string, receivedAt: number): NormalizedCall {
  const call = report as NormalizedCall;
  call.connected = isConnected(report);
  call.callStatusLabel = report.callStatusNew === null ? null : (callStatusLabels[report.callStatusNew] ?? null);
  call.callDescriptionLabel =
    report.callDescription === null ? null : (callDescriptionLabels[report.callDescription] ?? null);
  call.sourceId = sourceId;
  call.receivedAt = receivedAt;
  return call;
}
