import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventTypes } from "../../model/events/types";
import { deliveryStatuses } from "../../storage/db/schema";
import { httpClasses } from "../../storage/delivery-search";
import { type DeliveryFilter, deliveryFilterQuery, parseDeliveryFilter } from "./delivery-filter";

const subset = <T>(values: readonly T[]) =>
  fc.subarray([...values]).map((picked) => values.filter((v) => picked.includes(v)));
const word = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() === s && s !== "");
const day = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const filters: fc.Arbitrary<DeliveryFilter> = fc.record(
  {
    status: subset(deliveryStatuses),
    destination: fc.uniqueArray(word, { maxLength: 5 }),
    http: subset(httpClasses),
    event: subset(eventTypes),
    since: day,
    until: day,
    voiceId: word,
    phone: fc.stringMatching(/^\+?\d{4,15}$/),
  },
  { requiredKeys: ["status", "destination", "http", "event"] },
);

describe("the deliveries filter in the URL", () => {
  it("reads back from its query string as the same filter (reload, back and a shared link keep it)", () => {
    fc.assert(
      fc.property(filters, (filter) => {
        const url = new URL(`https://relay.example/deliveries?${deliveryFilterQuery(filter)}`);
        expect(parseDeliveryFilter(url.searchParams)).toEqual({ filter, issues: [] });
      }),
    );
  });

  it("reads any query string without throwing, and what it reads is stable", () => {
    const keys = fc.constantFrom("status", "destination", "http", "event", "since", "until", "voiceId", "phone", "x");
    fc.assert(
      fc.property(fc.array(fc.tuple(keys, fc.string({ maxLength: 40 })), { maxLength: 20 }), (pairs) => {
        const { filter } = parseDeliveryFilter(new URLSearchParams(pairs));
        expect(parseDeliveryFilter(deliveryFilterQuery(filter)).filter).toEqual(filter);
      }),
    );
  });

  it("combines several values of a key, and names what it ignored", () => {
    const { filter, issues } = parseDeliveryFilter(
      new URLSearchParams("status=paused&status=failed&status=bogus&http=5xx&http=none&since=2026-13-45&phone=12"),
    );
    expect(filter).toEqual({ status: ["failed", "paused"], destination: [], http: ["5xx", "none"], event: [] });
    expect(issues.map((i) => i.path)).toEqual(["status", "since", "phone"]);
  });
});
