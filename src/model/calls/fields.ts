/** How an upstream field is read: see `values.ts`. */
export type FieldKind = "string" | "int" | "time";

/**
 * Every field of the platform's record that callrelay keeps in a column, with how it is read.
 * Names and meanings are the platform's own (see the README's field table).
 */
export const upstreamFields = {
  type: "int",
  callee: "string",
  displayNum: "string",
  submitTime: "time",
  callTime: "time",
  ringingTime: "time",
  answerTime: "time",
  hangupTime: "time",
  billPeriod: "string",
  code: "string",
  recordingFileId: "string",
  recordingFileUrl: "string",
  ringDuration: "int",
  callDuration: "int",
  chargedDuration: "int",
  currency: "string",
  quoteExchange: "string",
  rate: "string",
  cost: "string",
  costEur: "string",
  settleRate: "string",
  settlePay: "string",
  aiAgentChargedDuration: "int",
  aiAgentBillPeriod: "string",
  aiAgentRate: "string",
  aiAgentFee: "string",
  aiAgentQuoteRate: "string",
  aiAgentQuoteFee: "string",
  terminationCode: "string",
  terminationReason: "string",
  sipCode: "string",
  calledInfo: "string",
  scriptId: "int",
  intent: "string",
  intentCode: "string",
  taskId: "int",
  sourceTaskId: "int",
  callStatus: "int",
  callStatusNew: "int",
  callDescription: "int",
} as const satisfies Record<string, FieldKind>;

type UpstreamFields = typeof upstreamFields;
type ValueOf<K extends FieldKind> = K extends "string" ? string | null : number | null;

/** One platform record after reading: `voiceId` plus every upstream field, `null` when absent. */
export type CallReport = { voiceId: string } & { [F in keyof UpstreamFields]: ValueOf<UpstreamFields[F]> };

/** A stored call as the API, filters and destinations see it: the report plus derived fields. */
export type NormalizedCall = CallReport & {
  connected: boolean;
  callStatusLabel: string | null;
  callDescriptionLabel: string | null;
  sourceId: string;
  receivedAt: number;
};

/** The type of every field of {@link NormalizedCall}, for filters and templates. */
export const normalizedFieldTypes: Record<keyof NormalizedCall, "string" | "number" | "boolean"> = {
  voiceId: "string",
  ...(Object.fromEntries(
    Object.entries(upstreamFields).map(([name, kind]) => [name, kind === "string" ? "string" : "number"]),
  ) as Record<keyof UpstreamFields, "string" | "number">),
  connected: "boolean",
  callStatusLabel: "string",
  callDescriptionLabel: "string",
  sourceId: "string",
  receivedAt: "number",
};
