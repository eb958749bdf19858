import type { NormalizedCall } from "./fields";
import { normalize } from "./normalize";
import { parseRecord } from "./record-schema";

/** The platform specification's sample status report: what `POST /destinations/{id}/test` sends. */
export const sampleRecord = {
  answerTime: 1774509748000,
  sipCode: "200",
  callDescription: 1,
  callee: "2222222228613200000007",
  type: 1,
  voiceId: "260326152224160100152",
  displayNum: "5034040",
  terminationReason: "Called hang up",
  submitTime: 1774509744963,
  intentCode: "302",
  aiAgentChargedDuration: 60,
  calledInfo: null,
  billPeriod: "60-60",
  callDuration: 35,
  code: null,
  aiAgentQuoteRate: "0.1",
  costEur: "0",
  recordingFileUrl: null,
  terminationCode: "0",
  rate: "0",
  callStatus: 50,
  hangupTime: 1774509783000,
  recordingFileId: "260326152224160100152.wav",
  aiAgentQuoteFee: "0.1",
  cost: "0",
  chargedDuration: 60,
  intent: "Connected-Customer No Responsern",
  callStatusNew: 1,
  ringingTime: 1774509747000,
  scriptId: 63,
  aiAgentBillPeriod: "60+60",
  ringDuration: 1,
  callTime: 1774509747000,
  taskId: 5034040,
};

/** The sample record read as a call from `sourceId`, received at `now`. */
export function sampleCall(sourceId: string, now: number): NormalizedCall {
  const parsed = parseRecord(sampleRecord);
  if (!parsed.ok) throw new Error(`the sample record does not parse: ${parsed.error}`);
  return normalize(parsed.report, sourceId, now);
}
