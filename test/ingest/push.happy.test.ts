import { describe, expect, it } from "vitest";
import sampleText from "../fixtures/sample-push.json?raw";
import { push, record, rows } from "../support/worker";

const SAMPLE_VOICE_ID = "260326152224160100152";

describe("POST /push/:token with the platform's sample body", () => {
  it("stores the record with every field normalized, and answers 200 only after", async () => {
    const res = await push(sampleText);
    expect(res.status).toBe(200);
    const body = await res.json<{ ok: boolean; pushId: string; accepted: number; rejected: unknown[] }>();
    expect(body).toEqual({ ok: true, pushId: expect.stringMatching(/^psh_/), accepted: 1, rejected: [] });

    const [call] = await rows("SELECT * FROM calls WHERE voice_id = ?", SAMPLE_VOICE_ID);
    expect(call).toEqual({
      id: expect.any(Number),
      source_id: "src_default",
      voice_id: SAMPLE_VOICE_ID,
      type: 1,
      callee: "2222222228613200000007",
      display_num: "5034040",
      submit_time: 1774509744963,
      call_time: 1774509747000,
      ringing_time: 1774509747000,
      answer_time: 1774509748000,
      hangup_time: 1774509783000,
      bill_period: "60-60",
      code: null,
      recording_file_id: "260326152224160100152.wav",
      recording_file_url: null,
      ring_duration: 1,
      call_duration: 35,
      charged_duration: 60,
      currency: null,
      quote_exchange: null,
      rate: "0",
      cost: "0",
      cost_eur: "0",
      settle_rate: null,
      settle_pay: null,
      ai_agent_charged_duration: 60,
      ai_agent_bill_period: "60+60",
      ai_agent_rate: null,
      ai_agent_fee: null,
      ai_agent_quote_rate: "0.1",
      ai_agent_quote_fee: "0.1",
      termination_code: "0",
      termination_reason: "Called hang up",
      sip_code: "200",
      called_info: null,
      script_id: 63,
      intent: "Connected-Customer No Responsern",
      intent_code: "302",
      task_id: 5034040,
      source_task_id: null,
      call_status: 50,
      call_status_new: 1,
      call_description: 1,
      connected: 1,
      call_status_label: "connected",
      call_description_label: "valid_call",
      received_at: expect.any(Number),
      push_id: body.pushId,
      raw: expect.any(String),
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
      call_at: 1774509747000,
      callee_key: "7000000023168222222222",
    });
    expect(JSON.parse(call?.raw as string)).toEqual(JSON.parse(sampleText).array[0]);

    const [log] = await rows("SELECT * FROM pushes WHERE id = ?", body.pushId);
    expect(log).toMatchObject({
      source_id: "src_default",
      status: "stored",
      content_type: "application/json;charset=UTF-8",
      bytes: new TextEncoder().encode(sampleText).byteLength,
      records: 1,
      accepted: 1,
      rejected_count: 0,
      rejected: "[]",
    });
    const chunks = await rows<{ chunk: string }>(
      "SELECT chunk FROM push_bodies WHERE push_id = ? ORDER BY seq",
      body.pushId,
    );
    expect(chunks.map((c) => c.chunk).join("")).toBe(sampleText);

    const [source] = await rows("SELECT id, name, token_hash FROM sources WHERE id = 'src_default'");
    expect(source).toEqual({ id: "src_default", name: "default", token_hash: null });
  });

  it("updates the same row when a voiceId is pushed again: latest values win, no duplicate", async () => {
    const first = await push(sampleText);
    expect(first.status).toBe(200);
    const changed = JSON.parse(sampleText);
    changed.array[0].intentCode = "303";
    changed.array[0].callDuration = "41";
    const second = await push(changed);
    expect(second.status).toBe(200);

    const found = await rows<{ intent_code: string; call_duration: number; push_id: string }>(
      "SELECT intent_code, call_duration, push_id FROM calls WHERE voice_id = ?",
      SAMPLE_VOICE_ID,
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      intent_code: "303",
      call_duration: 41,
      push_id: (await second.json<{ pushId: string }>()).pushId,
    });
  });
});

describe("tolerant reading", () => {
  it("stores the good records of a batch and rejects the bad ones with a reason", async () => {
    const good = [record(), record()];
    const body = {
      array: [
        good[0],
        { ...record(), answerTime: "yesterday" },
        { ...record(), voiceId: undefined },
        "not a record",
        good[1],
      ],
    };
    const res = await push(body);
    expect(res.status).toBe(200);
    const result = await res.json<{
      accepted: number;
      rejected: { index: number; voiceId: string | null; error: string }[];
    }>();
    expect(result.accepted).toBe(2);
    expect(result.rejected).toEqual([
      {
        index: 1,
        voiceId: (body.array[1] as { voiceId: string }).voiceId,
        error: expect.stringMatching(/^answerTime: .*"yesterday"/),
      },
      { index: 2, voiceId: null, error: "voiceId: voiceId is missing" },
      { index: 3, voiceId: null, error: "record is not a JSON object" },
    ]);
    const stored = await rows(
      "SELECT voice_id FROM calls WHERE voice_id IN (?, ?)",
      good[0]?.voiceId,
      good[1]?.voiceId,
    );
    expect(stored).toHaveLength(2);
  });

  it("reads both time formats and numbers sent as strings", async () => {
    const r = record({
      answerTime: "20260326152228",
      hangupTime: "1774509783000",
      submitTime: "2026-03-26 15:22:24",
      callDuration: "35",
      taskId: "5034040",
      intentCode: 302,
      callStatusNew: "1",
    });
    expect((await push({ array: [r] })).status).toBe(200);
    const [row] = await rows("SELECT * FROM calls WHERE voice_id = ?", r.voiceId);
    expect(row).toMatchObject({
      answer_time: 1774509748000,
      hangup_time: 1774509783000,
      submit_time: 1774509744000,
      call_duration: 35,
      task_id: 5034040,
      intent_code: "302",
      call_status_new: 1,
      connected: 1,
    });
  });

  it("accepts a record that is all nulls but its voiceId, and derives what it can", async () => {
    const voiceId = record().voiceId;
    const nulls = Object.fromEntries(Object.keys(record()).map((k) => [k, null]));
    expect((await push({ array: [{ ...nulls, voiceId }] })).status).toBe(200);
    const [row] = await rows("SELECT * FROM calls WHERE voice_id = ?", voiceId);
    expect(row).toMatchObject({
      voice_id: voiceId,
      connected: 0,
      call_status_label: null,
      intent: null,
      answer_time: null,
    });
  });

  it("falls back to terminationCode and answerTime when callStatusNew is absent", async () => {
    const old = record({ callStatusNew: undefined, callDescription: undefined, terminationCode: "0" });
    const unanswered = record({ callStatusNew: undefined, terminationCode: "0", answerTime: null });
    expect((await push({ array: [old, unanswered] })).status).toBe(200);
    const found = await rows<{ voice_id: string; connected: number }>(
      "SELECT voice_id, connected FROM calls WHERE voice_id IN (?, ?) ORDER BY voice_id = ? DESC",
      old.voiceId,
      unanswered.voiceId,
      old.voiceId,
    );
    expect(found.map((f) => f.connected)).toEqual([1, 0]);
  });

  it("keeps fields the platform adds later in the raw record", async () => {
    const r = record({ emotion: "happy", nested: { score: 0.9, tags: ["a"] } });
    expect((await push({ array: [r] })).status).toBe(200);
    const [row] = await rows<{ raw: string }>("SELECT raw FROM calls WHERE voice_id = ?", r.voiceId);
    expect(JSON.parse(row?.raw ?? "{}")).toMatchObject({ emotion: "happy", nested: { score: 0.9, tags: ["a"] } });
  });

  it("stores a 1,000-record batch in one push", async () => {
    const batch = Array.from({ length: 1000 }, () => record());
    const res = await push({ array: batch });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1000, rejected: [] });
    const pushId = (
      await rows<{ push_id: string }>("SELECT push_id FROM calls WHERE voice_id = ?", batch[0]?.voiceId)
    )[0]?.push_id;
    const [count] = await rows<{ n: number }>("SELECT count(*) AS n FROM calls WHERE push_id = ?", pushId);
    expect(count?.n).toBe(1000);
  });

  it("accepts any content type", async () => {
    const r = record();
    expect((await push({ array: [r] }, { contentType: "text/plain" })).status).toBe(200);
    expect(await rows("SELECT 1 FROM calls WHERE voice_id = ?", r.voiceId)).toHaveLength(1);
  });
});
