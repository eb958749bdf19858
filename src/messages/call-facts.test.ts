import { describe, expect, it } from "vitest";
import { chinese, english, sampleCall } from "../../test/chat/kit";
import { callDescriptionLabels, callStatusLabels } from "../model/calls/labels";
import {
  callSummary,
  type DigestRow,
  digestRow,
  digestSummary,
  missingValue,
  type RowStyle,
  readableValue,
  roomPerValue,
  rowBudget,
  zhValueLabels,
} from "./call-facts";

const facts = (summary: ReturnType<typeof callSummary>) =>
  Object.fromEntries(summary.facts.map((f) => [f.key, f.value]));

describe("callSummary", () => {
  it("states the sample call's facts in English", () => {
    const summary = callSummary(sampleCall, english);
    expect(summary).toMatchObject({
      title: "Connected-Customer No Responsern",
      intent: "Connected-Customer No Responsern",
      intentLabel: "Intent",
      colon: ": ",
    });
    expect(summary.facts.map((f) => [f.label, f.value, f.verbatim])).toEqual([
      ["Callee", "222***************0007", true],
      ["Caller ID", "5034040", true],
      ["Answered", "2026-03-26 15:22:28 (Asia/Shanghai)", false],
      ["Talk time", "35s", false],
      ["Status", "connected", false],
      ["Result", "valid_call", false],
      ["Intent code", "302", false],
      ["Task / script", "5034040 / 63", false],
      ["Recording", "260326152224160100152.wav", false],
      ["Call ID", "260326152224160100152", true],
    ]);
    expect(summary.headline.map((f) => f.key)).toEqual(["callee", "talkTime"]);
  });

  it("states them in Chinese, status and description values included", () => {
    const summary = callSummary(sampleCall, chinese);
    expect(summary.colon).toBe("：");
    expect(summary.intentLabel).toBe("意图");
    expect(summary.facts.map((f) => `${f.label}=${f.value}`)).toEqual([
      "被叫=222***************0007",
      "主叫=5034040",
      "接通时间=2026-03-26 15:22:28 (Asia/Shanghai)",
      "通话时长=35秒",
      "接通状态=已接通",
      "通话描述=有效通话",
      "意图代码=302",
      "任务 / 话术=5034040 / 63",
      "录音=260326152224160100152.wav",
      "通话 ID=260326152224160100152",
    ]);
  });

  it("has Chinese for every status and description label", () => {
    for (const label of [...Object.values(callStatusLabels), ...Object.values(callDescriptionLabels)]) {
      expect(zhValueLabels[label], label).toMatch(/\p{Script=Han}/u);
    }
    const zh = (callStatusNew: number, callDescription: number) =>
      facts(
        callSummary(
          {
            ...sampleCall,
            callStatusNew,
            callStatusLabel: callStatusLabels[callStatusNew] ?? null,
            callDescription,
            callDescriptionLabel: callDescriptionLabels[callDescription] ?? null,
          },
          chinese,
        ),
      );
    expect(zh(3, 2)).toMatchObject({ status: "未接通", result: "语音信箱" });
    expect(zh(4, 8)).toMatchObject({ status: "未接通（异常）", result: "无人接听" });
  });

  it("shows the code of a status without a label, and nothing for what is missing", () => {
    const summary = callSummary(
      {
        ...sampleCall,
        intent: "  ",
        callStatusLabel: null,
        callStatusNew: 7,
        callDescriptionLabel: null,
        callDescription: null,
        callee: null,
        answerTime: null,
        callDuration: null,
        taskId: null,
        recordingFileId: "",
      },
      chinese,
    );
    expect(summary.title).toBe("通话报告");
    expect(summary.intent).toBeNull();
    expect(facts(summary)).toMatchObject({
      status: "7",
      result: null,
      callee: null,
      answered: null,
      talkTime: null,
      taskScript: `${missingValue} / 63`,
      recording: null,
    });
    expect(callSummary({ ...sampleCall, intent: null }, english).title).toBe("Call report");
  });

  it("masks the callee unless told not to, and puts every value on one line", () => {
    expect(facts(callSummary(sampleCall, { ...english, maskCallee: false })).callee).toBe("2222222228613200000007");
    const summary = callSummary({ ...sampleCall, intent: " Wants\n\na  callback\t", displayNum: "50\r\n34" }, english);
    expect(summary.title).toBe("Wants a callback");
    expect(facts(summary).caller).toBe("50 34");
  });

  it("shows times in the destination's time zone", () => {
    expect(facts(callSummary(sampleCall, { ...english, timezone: "UTC" })).answered).toBe("2026-03-26 07:22:28 (UTC)");
  });
});

describe("roomPerValue", () => {
  it("shares what the title and the markup leave among the ten facts", () => {
    expect(roomPerValue(4096, 1010, 40)).toBe(268);
    expect(roomPerValue(6000, 256, 20)).toBe(554);
  });
});

describe("readableValue", () => {
  const read = (field: keyof typeof sampleCall, changes = {}, options = english) =>
    readableValue({ ...sampleCall, ...changes }, field, options);

  it("shows times in the destination's zone and durations spelled out", () => {
    expect(read("answerTime")).toBe("2026-03-26 15:22:28 (Asia/Shanghai)");
    expect(read("receivedAt", {}, { ...english, timezone: "UTC" })).toBe("2026-03-26 07:23:10 (UTC)");
    expect(read("callDuration", { callDuration: 3725 })).toBe("1h 02m 05s");
    expect(read("chargedDuration", {}, chinese)).toBe("1分00秒");
  });

  it("masks the callee unless told not to, and keeps other numbers and ids as they are", () => {
    expect(read("callee")).toBe("222***************0007");
    expect(read("callee", {}, { ...english, maskCallee: false })).toBe("2222222228613200000007");
    expect(read("displayNum")).toBe("5034040");
    expect(read("taskId")).toBe("5034040");
    expect(read("callStatus")).toBe("50");
  });

  it("says yes or no, and status labels, in the locale", () => {
    expect(read("connected")).toBe("yes");
    expect(read("connected", { connected: false }, chinese)).toBe("否");
    expect(read("callStatusLabel")).toBe("connected");
    expect(read("callDescriptionLabel", {}, chinese)).toBe("有效通话");
  });

  it("puts text on one line, and has nothing for what the call lacks", () => {
    expect(read("intent", { intent: " Wants\n a\tcallback " })).toBe("Wants a callback");
    expect(read("intent", { intent: " \n " })).toBeNull();
    expect(read("sourceTaskId")).toBeNull();
    expect(read("answerTime", { answerTime: null })).toBeNull();
  });
});

describe("digestSummary", () => {
  it("counts the calls and gives each a row from its summary", () => {
    const digest = digestSummary(
      [sampleCall, { ...sampleCall, voiceId: "v2", intent: null, intentCode: null, answerTime: null, callee: null }],
      english,
      ["https://relay.example/recordings/a.b"],
    );
    expect(digest).toEqual({
      title: "2 calls",
      rows: [
        {
          title: "Connected-Customer No Responsern",
          intentCode: "302",
          callee: "222***************0007",
          talkTime: "35s",
          answered: "03-26 15:22",
          callId: "260326152224160100152",
          recording: { label: "Recording", url: "https://relay.example/recordings/a.b" },
        },
        {
          title: "Call report",
          intentCode: null,
          callee: null,
          talkTime: "35s",
          answered: null,
          callId: "v2",
          recording: null,
        },
      ],
      legend: "Intent (Intent code) · Callee · Talk time · Answered · Call ID; times in Asia/Shanghai",
    });
    expect(digestSummary([sampleCall], english).title).toBe("1 call");
  });

  it("speaks Chinese, in the destination's time zone", () => {
    const digest = digestSummary([sampleCall, sampleCall, sampleCall], { ...chinese, timezone: "UTC" });
    expect(digest.title).toBe("3 通电话");
    expect(digest.rows[0]).toMatchObject({ talkTime: "35秒", answered: "03-26 07:22" });
    expect(digest.legend).toBe("意图 (意图代码) · 被叫 · 通话时长 · 接通时间 · 通话 ID；时间为 UTC");
  });
});

describe("digestRow", () => {
  const style: RowStyle = {
    budget: rowBudget,
    text: (raw, max) => `[${raw.slice(0, max)}]`,
    verbatim: (raw, max) => `{${max === undefined ? raw : raw.slice(0, max)}}`,
    strong: (text) => `*${text}*`,
  };
  const row = digestSummary([sampleCall], english).rows[0] as DigestRow;

  it("writes the intent and its code, then callee · talk time · answered · call ID", () => {
    expect(digestRow(row, style)).toEqual([
      "*[Connected-Customer No Responsern]* ([302])",
      "{222***************0007} · [35s] · 03-26 15:22 · {260326152224160100152}",
    ]);
  });

  it("cuts every part but the call ID to its budget, and shows a dash for what is missing", () => {
    const long = "x".repeat(500);
    const [head, details] = digestRow(
      { ...row, title: long, intentCode: long, callee: long, talkTime: null, answered: null, callId: long },
      style,
    );
    expect(head).toBe(`*[${"x".repeat(rowBudget.title)}]* ([${"x".repeat(rowBudget.intentCode)}])`);
    expect(details).toBe(`{${"x".repeat(rowBudget.callee)}} · — · — · {${long}}`);
    expect(digestRow({ ...row, intentCode: null }, style)[0]).toBe("*[Connected-Customer No Responsern]*");
  });
});
