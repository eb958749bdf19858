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

/** Adds the derived fields to a read report. */
export function normalize(report: CallReport, sourceId: string, receivedAt: number): NormalizedCall {
  return {
    ...report,
    connected: isConnected(report),
    callStatusLabel: report.callStatusNew === null ? null : (callStatusLabels[report.callStatusNew] ?? null),
    callDescriptionLabel:
      report.callDescription === null ? null : (callDescriptionLabels[report.callDescription] ?? null),
    sourceId,
    receivedAt,
  };
}
