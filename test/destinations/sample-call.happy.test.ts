import { describe, expect, it } from "vitest";
import { sampleCall, sampleRecord } from "../../src/model/calls/sample-call";
import sample from "../fixtures/sample-push.json";

describe("the sample call", () => {
  it("is the record of the specification's sample push", () => {
    expect(sampleRecord).toEqual(sample.array[0]);
  });

  it("reads as a connected call from the given source", () => {
    expect(sampleCall("src_x", 1234)).toMatchObject({
      voiceId: "260326152224160100152",
      sourceId: "src_x",
      receivedAt: 1234,
      connected: true,
      intentCode: "302",
      callStatusLabel: "connected",
    });
  });
});
