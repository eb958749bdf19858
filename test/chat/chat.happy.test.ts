import { afterEach, describe, expect, it, vi } from "vitest";
import { installReceiver } from "../support/receiver";
import { attemptsOf, createDestination, push, record, waitForStatus } from "../support/worker";
import { platforms } from "./platforms";

afterEach(() => vi.unstubAllGlobals());

describe.each(platforms)("a $type destination", (platform) => {
  it("gets one well-formed message for a pushed call, and the delivery is delivered", async () => {
    const receiver = installReceiver();
    const config = platform.config();
    const prefix = platform.prefix(config);
    receiver.answer((request) =>
      request.url.startsWith(prefix) ? platform.accepted() : new Response("", { status: 500 }),
    );
    const r = record();
    const dest = await createDestination({ type: platform.type, config, filter: { voiceId: r.voiceId } });

    expect((await push({ array: [r] })).status).toBe(200);
    const delivery = await waitForStatus(dest.id, r.voiceId, "delivered");

    const [request, ...more] = receiver.to(prefix);
    expect(more).toEqual([]);
    expect(receiver.received).toHaveLength(1);
    platform.check(request as NonNullable<typeof request>, config, r.voiceId);
    expect(await attemptsOf(delivery.id)).toMatchObject([{ outcome: "delivered", error: null }]);
  });
});

describe("chat options", () => {
  it("shows the callee whole and in Chinese when the destination says so", async () => {
    const receiver = installReceiver();
    const telegram = platforms[0] as NonNullable<(typeof platforms)[0]>;
    receiver.answer(() => telegram.accepted());
    const config = telegram.config();
    const r = record({ intent: "Wants a callback <b>now</b> & @everyone" });
    const dest = await createDestination({
      type: "telegram",
      config,
      filter: { voiceId: r.voiceId },
      options: { locale: "zh", maskCallee: false, timezone: "UTC" },
    });
    await push({ array: [r] });
    await waitForStatus(dest.id, r.voiceId, "delivered");
    const text: string = JSON.parse(receiver.to(telegram.prefix(config))[0]?.body ?? "{}").text;
    expect(text.split("\n")[0]).toBe("<b>Wants a callback &lt;b&gt;now&lt;/b&gt; &amp; @everyone</b>");
    expect(text).toContain("<b>被叫</b>：<code>2222222228613200000007</code>");
    expect(text).toContain("<b>接通时间</b>：2026-03-26 07:22:28 (UTC)");
  });
});
