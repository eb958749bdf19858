import { type Random, seededRandom } from "./random.ts";

/** One platform record, shaped like `test/fixtures/sample-push.json`. */
export type PlatformRecord = Record<string, unknown> & { voiceId: string };

const intents = [
  ["301", "Connected-Customer Interested"],
  ["302", "Connected-Customer No Responsern"],
  ["303", "Connected-Customer Call Back Later"],
  ["304", "Connected-Customer Refused"],
] as const;
const descriptions = [1, 2, 3, 4, 5, 6, 7, 8, 10] as const;
const hangups = [
  ["0", "Called hang up", "200"],
  ["0", "Caller hang up", "200"],
  ["1", "Busy", "486"],
  ["2", "No answer", "480"],
] as const;

/** `yyyy-MM-dd HH:mm:ss` in the platform's local time (UTC+8). */
function localTime(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
}

/**
 * Makes valid records with varied values: every call a new `voiceId`, a mix of connected and not, times as
 * epoch ms or as the platform's local-time text, some integers as strings — the forms the worker reads.
 */
export function recordFactory(options: { seed?: number; tag?: string; base?: number; spacingMs?: number } = {}) {
  const random: Random = seededRandom(options.seed ?? 1);
  const tag = options.tag ?? String(Date.now() % 1_000_000).padStart(6, "0");
  let seq = 0;
  // The first call's time: the sample's day unless a bench wants its calls recent; a second apart unless told.
  const base = options.base ?? Date.UTC(2026, 2, 26, 7, 22, 24);
  const spacing = options.spacingMs ?? 1000;

  return function next(over: { connected?: boolean } = {}): PlatformRecord {
    seq += 1;
    const voiceId = `2603${tag}${String(seq).padStart(11, "0")}`;
    const connected = over.connected ?? random.chance(0.6);
    const submitTime = base + Math.round(seq * spacing) + random.int(0, 999);
    const callTime = submitTime + random.int(1000, 5000);
    const ringingTime = callTime + random.int(0, 2000);
    const answerTime = connected ? ringingTime + random.int(1000, 20000) : null;
    const callDuration = connected ? random.int(1, 600) : 0;
    const hangupTime = (answerTime ?? ringingTime + random.int(5000, 30000)) + callDuration * 1000;
    const [terminationCode, terminationReason, sipCode] = connected
      ? random.pick(hangups.slice(0, 2))
      : random.pick(hangups);
    const [intentCode, intent] = random.pick(intents);
    const charged = Math.ceil(callDuration / 60) * 60;
    const textTimes = random.chance(0.2);
    const time = (ms: number | null) => (ms === null ? null : textTimes ? localTime(ms) : ms);
    const taskId = random.int(5_000_000, 5_100_000);
    return {
      answerTime: time(answerTime),
      sipCode,
      callDescription: connected ? 1 : random.pick(descriptions),
      callee: `22222222286${random.digits(11)}`,
      type: 1,
      voiceId,
      displayNum: random.digits(7),
      terminationReason,
      submitTime,
      intentCode: connected ? intentCode : null,
      aiAgentChargedDuration: charged,
      calledInfo: null,
      billPeriod: "60-60",
      callDuration,
      code: null,
      aiAgentQuoteRate: "0.1",
      costEur: "0",
      recordingFileUrl: connected ? `https://recordings.example.com/${voiceId}.wav` : null,
      terminationCode,
      rate: "0",
      callStatus: connected ? 50 : random.pick([40, 41, 42]),
      hangupTime: time(hangupTime),
      recordingFileId: connected ? `${voiceId}.wav` : null,
      aiAgentQuoteFee: (charged / 600).toFixed(1),
      cost: "0",
      chargedDuration: charged,
      intent: connected ? intent : "",
      callStatusNew: connected ? 1 : random.pick([2, 3, 4]),
      ringingTime: time(ringingTime),
      scriptId: random.chance(0.1) ? String(random.int(1, 99)) : random.int(1, 99),
      aiAgentBillPeriod: "60+60",
      ringDuration: random.int(0, 30),
      callTime: time(callTime),
      taskId: random.chance(0.1) ? String(taskId) : taskId,
    };
  };
}

/** A push body: `{"array":[...]}`. */
export function pushBody(records: readonly PlatformRecord[]): string {
  return JSON.stringify({ array: records });
}
