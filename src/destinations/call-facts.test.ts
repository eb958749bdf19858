import { describe, expect, it } from "vitest";
import { chinese, english, sampleCall } from "../../test/chat/kit";
import { callDescriptionLabels, callStatusLabels } from "../ingest/labels";
import { callSummary, missingValue, roomPerValue, zhValueLabels } from "./call-facts";

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
