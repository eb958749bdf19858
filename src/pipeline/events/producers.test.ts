import { describe, expect, it } from "vitest";
import { sampleEventData } from "../../model/events/samples";
import { eventSettings } from "../../model/events/settings";
import type { EventData } from "../../model/events/types";
import { pushOccurrences } from "./producers";
import { connectRateEvent, digestEvent, digestsDue, storageEvent } from "./scheduled";
import { subscribersOf } from "./store";

const now = Date.UTC(2026, 2, 26, 1, 0, 20);

describe("pushOccurrences", () => {
  it("counts rejected records and balance announcements of a push, per source", () => {
    const occurrences = pushOccurrences({
      pushId: "psh_1",
      sourceId: "src_a",
      rejected: [{ error: "bad voiceId" }, { error: "bad voiceId" }, { error: "bad callTime" }],
      calls: [
        { voiceId: "v1", taskId: 7, callDescription: 10 },
        { voiceId: "v2", taskId: 8, callDescription: 1 },
        { voiceId: "v3", taskId: 7, callDescription: 10 },
      ],
    });
    expect(occurrences.map((o) => [o.key, o.count, o.windowMs])).toEqual([
      ["records.rejected:src_a", 3, 900_000],
      ["line.balance_announcement:src_a", 2, 3_600_000],
    ]);
    expect(occurrences[0]?.event.data).toEqual({
      sourceId: "src_a",
      pushId: "psh_1",
      count: 3,
      reasons: ["bad voiceId", "bad callTime"],
    });
    expect(occurrences[1]?.event.data).toEqual({ sourceId: "src_a", count: 2, taskIds: [7], lastVoiceId: "v3" });
    expect(
      pushOccurrences({
        pushId: "p",
        sourceId: "s",
        rejected: [],
        calls: [{ voiceId: "v", taskId: null, callDescription: 1 }],
      }),
    ).toEqual([]);
  });
});

describe("subscribersOf", () => {
  const d = (id: string, events: string[], sourceIds: string[] = [], enabled = true) => ({
    id,
    events,
    sourceIds,
    enabled,
  });
  it("picks enabled subscribers, their sources, never the destination the event is about", () => {
    const all = [
      d("a", ["records.rejected"]),
      d("b", ["records.rejected"], ["src_b"]),
      d("c", ["records.rejected"], [], false),
      d("e", ["call.reported"]),
      d("f", ["records.rejected", "delivery.exhausted"]),
    ];
    const data = sampleEventData("records.rejected", now) as EventData<"records.rejected">;
    expect(subscribersOf({ type: "records.rejected", sourceId: "src_a", data }, all).map((s) => s.id)).toEqual([
      "a",
      "f",
    ]);
    const about = {
      type: "delivery.exhausted" as const,
      aboutDestinationId: "f",
      data: sampleEventData("delivery.exhausted", now) as EventData<"delivery.exhausted">,
    };
    expect(subscribersOf(about, all)).toEqual([]);
  });
});

describe("scheduled event builders", () => {
  it("storage.high: the highest threshold crossed, claimed per day", () => {
    expect(storageEvent({ bytes: 79, limitBytes: 100 }, now)).toBeNull();
    expect(storageEvent({ bytes: 93, limitBytes: 100 }, now)).toMatchObject({
      claimKey: "storage.high:90:2026-03-26",
      data: { percent: 93, threshold: 90 },
    });
  });

  it("connect_rate.dropped: once per hour per destination, with the hour that ended", () => {
    const week = Array.from({ length: 7 }, () => ({ calls: 200, connected: 100 }));
    const event = connectRateEvent("dst_1", { dropRatio: 0.5 }, { calls: 60, connected: 10 }, week, now);
    expect(event).toMatchObject({
      onlyTo: "dst_1",
      claimKey: "connect_rate.dropped:dst_1:2026-03-26T01",
      data: { hour: { start: "2026-03-26T00:00:00.000Z", end: "2026-03-26T01:00:00.000Z" }, averageRate: 0.5 },
    });
    expect(connectRateEvent("dst_1", { dropRatio: 0.5 }, { calls: 60, connected: 40 }, week, now)).toBeNull();
  });

  it("digests: daily at digestAt in the destination's zone and hourly, each claimed by period", () => {
    const settings = eventSettings({ timezone: "Asia/Shanghai", digestAt: "09:00" });
    const due = digestsDue("dst_1", ["digest.daily", "digest.hourly"], settings, now);
    expect(due.map((s) => s.key)).toEqual(["digest.daily:dst_1:2026-03-26", "digest.hourly:dst_1:2026-03-26T01"]);
    const slot = due[0];
    if (!slot) throw new Error("no slot");
    const data = sampleEventData("digest.daily", now) as EventData<"digest.daily">;
    expect(digestEvent("dst_1", slot, data)).toEqual({
      type: "digest.daily",
      onlyTo: "dst_1",
      claimKey: slot.key,
      data,
    });
    expect(digestsDue("dst_1", ["call.reported"], settings, now)).toEqual([]);
  });
});
