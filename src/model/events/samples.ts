import type { EventData, OperationEvent, OperationEventType } from "./types";

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

function digest(now: number, hours: number): EventData<"digest.daily"> {
  const end = now - (now % HOUR);
  const scale = hours / 24;
  const n = (x: number) => Math.round(x * scale);
  return {
    period: { start: iso(end - hours * HOUR), end: iso(end), timezone: "Asia/Shanghai" },
    calls: n(104_230),
    connected: n(38_912),
    connectRate: 0.3733,
    previous: { calls: n(98_004), connected: n(37_514), connectRate: 0.3828 },
    topIntents: [
      { intentCode: "401", intent: "Not interested", count: n(18_755) },
      { intentCode: "0", intent: "Connected-Customer No Response", count: n(10_630) },
      { intentCode: "302", intent: "Interested - asked for a callback", count: n(6_120) },
      { intentCode: "303", intent: "Interested - wants details by SMS", count: n(3_407) },
    ],
    byTask: [
      {
        taskId: 5034040,
        calls: n(60_118),
        connected: n(23_001),
        averageTalkSeconds: 65,
        costs: [{ currency: "USD", total: `${n(3_905)}.41`, perConnectedCall: "0.169793" }],
      },
      {
        taskId: 5034041,
        calls: n(44_112),
        connected: n(15_911),
        averageTalkSeconds: 48,
        costs: [
          { currency: "EUR", total: `${n(512)}.5`, perConnectedCall: "0.2" },
          { currency: "USD", total: `${n(2_010)}.08`, perConnectedCall: "0.203306" },
        ],
      },
    ],
    deliveries: { delivered: n(9_521), failed: n(3), retrying: n(6) },
    storage: { bytes: 3_221_225_472, limitBytes: 10_737_418_240, percent: 30 },
  };
}

const destination = { destinationId: "dst_sample", destinationName: "CRM webhook" };

/** Realistic data for each event type at `now`: what `POST /destinations/{id}/test` sends for `{"event": type}`. */
export function sampleEventData(type: OperationEventType, now: number): EventData {
  switch (type) {
    case "destination.disabled":
      return {
        ...destination,
        reason: "receiver answered 410 Gone: the endpoint no longer exists",
        lastStatusCode: 410,
        lastResponse: '{"error":"hook removed"}',
      };
    case "delivery.exhausted":
      return { ...destination, count: 12, lastError: "receiver answered 503 Service Unavailable" };
    case "breaker.opened":
      return { ...destination, failures: 5, openUntil: iso(now + 30_000) };
    case "breaker.closed":
      return { ...destination, openedAt: iso(now - 4 * 60_000) };
    case "records.rejected":
      return {
        sourceId: "src_default",
        pushId: "psh_sample",
        count: 37,
        reasons: ["voiceId: expected a string or a number", "callTime: expected epoch milliseconds"],
      };
    case "pushes.set_aside":
      return {
        sourceId: "src_default",
        pushId: "psh_sample",
        count: 1,
        records: 1_000,
        reason: "D1_ERROR: string or blob too big: SQLITE_TOOBIG",
      };
    case "pushes.silent":
      return {
        sourceIds: [],
        lastPushAt: iso(now - 42 * 60_000),
        silentSince: iso(now - 42 * 60_000),
        silentMinutes: 30,
      };
    case "line.balance_announcement":
      return { sourceId: "src_default", count: 18, taskIds: [5034040], lastVoiceId: "260326152224160100152" };
    case "connect_rate.dropped": {
      const end = now - (now % HOUR);
      return {
        hour: { start: iso(end - HOUR), end: iso(end) },
        calls: 4_210,
        connected: 612,
        rate: 612 / 4_210,
        averageRate: 0.381,
        dropRatio: 0.5,
      };
    }
    case "storage.high":
      return { bytes: 8_804_682_957, limitBytes: 10_737_418_240, percent: 82, threshold: 80 };
    case "digest.daily":
      return digest(now, 24);
    case "digest.hourly":
      return digest(now, 1);
  }
}

/** A sample event of `type` at `now`. */
export function sampleEvent(type: OperationEventType, now: number): OperationEvent {
  return { type, id: "evt_sample", createdAt: now, data: sampleEventData(type, now) } as OperationEvent;
}
