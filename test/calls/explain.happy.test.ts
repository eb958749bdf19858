import { describe, expect, it } from "vitest";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, createDestination, push, record } from "../support/worker";

interface Explanation {
  destinationId: string;
  matched: boolean;
  reason: string | null;
}

async function explain(voiceId: string) {
  const res = await admin(`/calls/src_default/${voiceId}/explain`);
  expect(res.status).toBe(200);
  const { data } = await res.json<{ data: Explanation[] }>();
  return (id: string) => data.find((d) => d.destinationId === id);
}

describe("GET /calls/{sourceId}/{voiceId}/explain", () => {
  it("says for each destination whether the call matched, and the first reason when not", async () => {
    installReceiver();
    const url = hookUrl();
    const matching = await createDestination({ type: "webhook", config: { url }, filter: { intentCode: "302" } });
    const filtered = await createDestination({
      type: "webhook",
      config: { url },
      filter: { intentCode: { $in: ["302", "303"] } },
    });
    const disabled = await createDestination({ type: "webhook", config: { url }, enabled: false });
    const otherSource = await createDestination({ type: "webhook", config: { url }, sourceIds: ["src_default"] });
    const unsubscribed = await createDestination({ type: "webhook", config: { url }, events: ["digest.daily"] });
    const call = record({ intentCode: "401" });
    await push({ array: [call, record({ intentCode: "302", voiceId: `${call.voiceId}b` })] });

    const of = await explain(call.voiceId);
    expect(of(filtered.id)).toMatchObject({
      matched: false,
      reason: 'filter: intentCode: "401" is not in ["302","303"]',
    });
    expect(of(matching.id)).toMatchObject({ matched: false, reason: 'filter: intentCode: "401" is not "302"' });
    expect(of(disabled.id)).toMatchObject({ matched: false, reason: "the destination is disabled" });
    expect(of(otherSource.id)).toMatchObject({ matched: true, reason: null });
    expect(of(unsubscribed.id)).toMatchObject({ reason: "the destination does not subscribe to call.reported" });
    expect((await explain(`${call.voiceId}b`))(matching.id)).toMatchObject({ matched: true });
  });

  it("answers 404 for an unknown call", async () => {
    const res = await admin("/calls/src_default/nope-never/explain");
    expect(res.status).toBe(404);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe("not_found");
  });
});
