import type { NormalizedCall } from "./fields";
import { callDescriptionLabels, callStatusLabels } from "./labels";

const codes = (labels: Readonly<Record<number, string>>) =>
  Object.entries(labels)
    .map(([code, label]) => `${code} = \`${label}\``)
    .join(", ");

const epochMs = (what: string) => `When the call ${what}: UTC epoch milliseconds.`;

/**
 * What each field of the call record means, with units and code values: the OpenAPI document's
 * descriptions. The platform's names and meanings; every upstream field may be null.
 */
export const callFieldDocs: Record<keyof NormalizedCall, string> = {
  voiceId: "The platform's unique record id; with `sourceId`, the call's identity.",
  type: "Business type: 1 = AI-agent group call.",
  callee: "The called number. Personal data: masked in chat messages by default.",
  displayNum: "The caller id shown to the callee.",
  submitTime: epochMs("was submitted"),
  callTime: epochMs("was dialled"),
  ringingTime: epochMs("started ringing"),
  answerTime: epochMs("was answered"),
  hangupTime: epochMs("hung up"),
  billPeriod: "Line billing period, e.g. `60+60` (first period + each next one, in seconds).",
  code: "Region or carrier code.",
  recordingFileId: "The recording's id.",
  recordingFileUrl: "The recording's URL.",
  ringDuration: "Ringing time, in seconds.",
  callDuration: "Talk time, in seconds.",
  chargedDuration: "Line billed time, in seconds.",
  currency: "Quote currency (only when not USD).",
  quoteExchange: "Exchange rate of the quote currency (only when not USD), a decimal string.",
  rate: "Line rate in the quote currency, a decimal string.",
  cost: "Line cost in the quote currency, a decimal string.",
  costEur: "Line cost in EUR, a decimal string.",
  settleRate: "Line rate in the local currency (only when not USD), a decimal string.",
  settlePay: "Line cost in the local currency (only when not USD), a decimal string.",
  aiAgentChargedDuration: "AI-agent billed time, in seconds.",
  aiAgentBillPeriod: "AI-agent billing period, e.g. `60+60`.",
  aiAgentRate: "AI-agent rate in the local currency (only when not USD), a decimal string.",
  aiAgentFee: "AI-agent cost in the local currency (only when not USD), a decimal string.",
  aiAgentQuoteRate: "AI-agent rate in the quote currency, a decimal string.",
  aiAgentQuoteFee: "AI-agent cost in the quote currency, a decimal string.",
  terminationCode: 'Termination status code: `"0"` is success.',
  terminationReason: "What `terminationCode` means, in words.",
  sipCode: "The SIP response code, e.g. `200`.",
  calledInfo: "Information about the callee.",
  scriptId: "The AI-agent template (script) id.",
  intent: "The final intent the AI agent recognized, in words.",
  intentCode: 'The final intent\'s code, e.g. `"302"`: what filters usually select on.',
  taskId: "The task (campaign) id.",
  sourceTaskId: "The parent group-call task id.",
  callStatus: "Legacy status code; prefer `callStatusNew`.",
  callStatusNew: `Call status (recorded from 2026-03-24): ${codes(callStatusLabels)}.`,
  callDescription: `What happened on the call: ${codes(callDescriptionLabels)}.`,
  connected:
    'Derived: `callStatusNew` is 1; for older records without it, `terminationCode` is `"0"` with an `answerTime`.',
  callStatusLabel: `Derived: \`callStatusNew\` as a label, one of ${Object.values(callStatusLabels).join(", ")}; null when unknown.`,
  callDescriptionLabel: `Derived: \`callDescription\` as a label, one of ${Object.values(callDescriptionLabels).join(", ")}; null when unknown.`,
  sourceId: "Derived: the source (push URL) the call came through.",
  receivedAt: "Derived: when the push that last updated the call arrived: UTC epoch milliseconds.",
};
