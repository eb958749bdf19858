import { afterEach, describe, expect, it, vi } from "vitest";
import { installReceiver } from "../support/receiver";
import { admin, createDestination, deliveriesOf, push, record, waitForStatus } from "../support/worker";
import { platforms } from "./platforms";

afterEach(() => vi.unstubAllGlobals());

describe.each(platforms)("a $type destination", (platform) => {
  it("fails at once on an answer retrying cannot fix, and gets disabled", async () => {
    const receiver = installReceiver();
    receiver.answer(() => platform.refused());
    const r = record();
    const dest = await createDestination({
      type: platform.type,
      config: platform.config(),
      filter: { voiceId: r.voiceId },
    });

    await push({ array: [r] });
    const delivery = await waitForStatus(dest.id, r.voiceId, "failed");
    expect(delivery.attempts).toBe(1);
    expect(delivery.last_error).toContain(platform.refusal);
    const view = await (await admin(`/destinations/${dest.id}`)).json<{ enabled: boolean; disabledReason: string }>();
    expect(view).toMatchObject({ enabled: false, disabledReason: expect.stringContaining(platform.refusal) });
    expect(receiver.received).toHaveLength(1);
  });
});

describe("rate limits answered with HTTP 200", () => {
  it.each([
    ["feishu", { code: 11232, msg: "frequency limited" }, 60],
    ["dingtalk", { errcode: 130101, errmsg: "send too fast, exceed 20 times per minute" }, 600],
    ["wecom", { errcode: 45009, errmsg: "api freq out of limit" }, 60],
  ])("a %s destination retries after the platform's window", async (type, body, seconds) => {
    const platform = platforms.find((p) => p.type === type);
    const receiver = installReceiver();
    receiver.answer(() => Response.json(body));
    const r = record();
    const dest = await createDestination({ type, config: platform?.config(), filter: { voiceId: r.voiceId } });
    const before = Date.now();

    await push({ array: [r] });
    const delivery = await waitForStatus(dest.id, r.voiceId, "retrying");
    expect(delivery.next_attempt_at).toBeGreaterThanOrEqual(before + seconds * 1000);
    expect(delivery.next_attempt_at).toBeLessThan(Date.now() + seconds * 1000 + 1000);
    expect(delivery.last_error).toContain(String(Object.values(body)[0]));
    expect((await (await admin(`/destinations/${dest.id}`)).json<{ enabled: boolean }>()).enabled).toBe(true);
    expect(await deliveriesOf(dest.id, r.voiceId)).toHaveLength(1);
  });
});
