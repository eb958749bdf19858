import fc from "fast-check";
import { expect } from "vitest";
import { MAX_RECORDING_LINK } from "../../src/messages/recording-link";
import { parseTemplate } from "../../src/messages/template";
import type { DestinationOptions, DestinationType, OutboundRequest, ReceiverResponse } from "../../src/messages/types";
import type { NormalizedCall } from "../../src/model/calls/fields";
import { normalize } from "../../src/model/calls/normalize";
import { parseRecord } from "../../src/model/calls/record-schema";
import sample from "../fixtures/sample-push.json";

const parsed = parseRecord(sample.array[0]);
if (!parsed.ok) throw new Error(parsed.error);

/** A valid config of each chat type. */
export const chatConfigs: Record<string, Record<string, unknown>> = {
  slack: { url: "https://hooks.slack.com/services/T000/B000/XXXX" },
  telegram: { botToken: "123456789:AAabcdefghijklmnopqrstuvwxyz0123456", chatId: "-1001234567890" },
  feishu: { url: "https://open.feishu.cn/open-apis/bot/v2/hook/abc", secret: "s3cret" },
  dingtalk: { url: "https://oapi.dingtalk.com/robot/send?access_token=abc", secret: "SECabc" },
  wecom: { url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc" },
  discord: { url: "https://discord.com/api/webhooks/1/abc" },
  teams: { url: "https://x.environment.api.powerplatform.com/workflows/a/triggers/manual/paths/invoke?sig=s" },
};

/** The spec's sample record, as stored. */
export const sampleCall: NormalizedCall = normalize(parsed.report, "src_default", 1774509790000);

/** The default options of a chat destination, in English. */
export const english: DestinationOptions = { timezone: "Asia/Shanghai", locale: "en", maskCallee: true };
export const chinese: DestinationOptions = { ...english, locale: "zh" };

/** Epoch ms of the rendered attempt. */
export const attemptAt = 1774509791000;

/** Renders the sample call, changed by `changes`, for a destination of `type`, with a recording link if given. */
export async function render<C extends Record<string, unknown>>(
  type: DestinationType<C>,
  config: C,
  changes: Partial<NormalizedCall> = {},
  options: Partial<DestinationOptions> = {},
  recordingUrl?: string,
) {
  const request = await type.render({
    config,
    call: { ...sampleCall, ...changes },
    options: { ...english, ...options },
    deliveryId: "dlv_test123",
    now: attemptAt,
    extraSecrets: [],
    recordingUrl,
  });
  return { request, body: JSON.parse(request.body) };
}

/**
 * Asserts `check` on messages of the sample call with any intent and callee (or none), the callee masked or not, with
 * the longest recording link or none.
 */
export async function forHostileCalls<C extends Record<string, unknown>>(
  type: DestinationType<C>,
  config: C,
  // biome-ignore lint/suspicious/noExplicitAny: each platform's test reads its own body shape
  check: (rendered: { request: OutboundRequest; body: any }) => void,
) {
  await fc.assert(
    fc.asyncProperty(
      fc.option(hostileText),
      fc.option(hostileText),
      fc.boolean(),
      linkOrNot,
      async (intent, callee, maskCallee, link) => {
        check(await render(type, config, { intent, callee, displayNum: callee }, { maskCallee }, link ?? undefined));
      },
    ),
    { numRuns: 100 },
  );
}

/** A template's parts; throws if it does not parse. */
export function templateParts(source: string) {
  const parsed = parseTemplate(source);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.parts;
}

/** Renders the sample call, changed by `changes`, with a template. */
export async function renderTemplate<C extends Record<string, unknown>>(
  type: DestinationType<C>,
  config: C,
  source: string,
  changes: Partial<NormalizedCall> = {},
  options: Partial<DestinationOptions> = {},
) {
  const request = await type.render({
    config,
    call: { ...sampleCall, ...changes },
    options: { ...english, ...options },
    deliveryId: "dlv_test123",
    now: attemptAt,
    extraSecrets: [],
    template: templateParts(source),
  });
  return { request, body: JSON.parse(request.body) };
}

/** Renders calls as one digest message, with the recording links given (at each call's index). */
export async function renderDigest<C extends Record<string, unknown>>(
  type: DestinationType<C>,
  config: C,
  calls: NormalizedCall[],
  options: Partial<DestinationOptions> = {},
  recordingUrls: readonly (string | undefined)[] = [],
) {
  if (!type.renderDigest) throw new Error(`${type.type} renders no digests`);
  const request = await type.renderDigest({
    config,
    calls,
    options: { ...english, ...options },
    now: attemptAt,
    recordingUrls,
  });
  return { request, body: JSON.parse(request.body) };
}

/** The sample call `n` times, with call ids 1, 2, … and intents `Intent 1`, `Intent 2`, … */
export function sampleCalls(n: number): NormalizedCall[] {
  return Array.from({ length: n }, (_, i) => ({ ...sampleCall, voiceId: String(i + 1), intent: `Intent ${i + 1}` }));
}

/** Characters taking the most room in each platform's unit, in pairs: a call id can be any sequence of a pair. */
const worstPairs = [
  ["\u0001", "\u0002"],
  ["中", "丁"],
  ["&", "<"],
  ["\\", "`"],
  ["*", "_"],
] as const;

/** `n` distinct call ids of 128 characters (the most a voiceId has), spelling 0, 1, 2, … in binary with `pair`. */
const idsOf = ([zero, one]: readonly [string, string], n: number) =>
  Array.from({ length: n }, (_, i) => Array.from({ length: 128 }, (_, bit) => ((i >> bit) & 1 ? one : zero)).join(""));

const randomIds = (n: number) =>
  fc.uniqueArray(
    fc.string({
      unit: fc.constantFrom("\u0001", "中", "&", "<", ">", "`", "*", "\\", "a"),
      minLength: 1,
      maxLength: 128,
    }),
    { minLength: n, maxLength: n },
  );

/**
 * `n` calls with hostile values: call ids of 128 of the costliest characters, intents, intent codes and callees of
 * up to 12,000, the longest talk times and the latest answer times, or none of them.
 */
export function hostileCalls(n: number): fc.Arbitrary<NormalizedCall[]> {
  const changes = fc.record({
    intent: fc.option(hostileText),
    intentCode: fc.option(hostileText),
    callee: fc.option(hostileText),
    callDuration: fc.option(fc.constantFrom(0, 35, Number.MAX_SAFE_INTEGER)),
    answerTime: fc.option(fc.constantFrom(0, 1774509748000, 253_402_300_799_999)),
  });
  return fc
    .tuple(
      fc.oneof(
        fc.constantFrom(...worstPairs).map((pair) => idsOf(pair, n)),
        randomIds(n),
      ),
      fc.array(changes, { minLength: n, maxLength: n }),
    )
    .map(([ids, rest]) => ids.map((voiceId, i) => ({ ...sampleCall, ...rest[i], voiceId })));
}

/**
 * The costliest digests of `n` calls, one per pair of costly characters: every call's id is 128 of them, its intent,
 * intent code and callee thousands, its talk time and answer time the longest there are.
 */
export function worstCalls(n: number): NormalizedCall[][] {
  return worstPairs.map((pair) => {
    const long = pair[0].repeat(3000);
    return idsOf(pair, n).map((voiceId) => ({
      ...sampleCall,
      voiceId,
      intent: long,
      intentCode: long,
      callee: long,
      callDuration: Number.MAX_SAFE_INTEGER,
      answerTime: 253_402_300_799_999,
    }));
  });
}

/** A recording link of `length` characters (the longest a message carries by default) for call `i`. */
export function recordingUrlOf(i: number, length = MAX_RECORDING_LINK): string {
  const start = `https://relay.example/recordings/${i}.`;
  return start + "x".repeat(length - start.length);
}

/** The longest recording link, or none. */
export const linkOrNot = fc.option(fc.constant(recordingUrlOf(0)));

/** The text of a digest row's recording link, by locale. */
export const rowLinkLabel = { en: "Recording", zh: "录音" } as const;

/** The recording links a digest was rendered with (none: `urls` is empty) and the text a row's link shows. */
export interface DigestLinks {
  urls: string[];
  label: string;
}

/**
 * Asserts `check` on digests of as many calls as `type` puts in one: hostile ones, and the costliest ones, with the
 * callee masked or not, in either locale, with the longest recording links or none.
 */
export async function forFullDigests<C extends Record<string, unknown>>(
  type: DestinationType<C>,
  config: C,
  // biome-ignore lint/suspicious/noExplicitAny: each platform's test reads its own body shape
  check: (rendered: { request: OutboundRequest; body: any }, calls: NormalizedCall[], links: DigestLinks) => void,
  numRuns = 20,
) {
  const n = type.digestMax ?? 0;
  const locales = ["en", "zh"] as const;
  const run = async (calls: NormalizedCall[], maskCallee: boolean, locale: "en" | "zh", linked: boolean) => {
    const urls = linked ? calls.map((_, i) => recordingUrlOf(i)) : [];
    check(await renderDigest(type, config, calls, { maskCallee, locale }, urls), calls, {
      urls,
      label: rowLinkLabel[locale],
    });
  };
  await fc.assert(fc.asyncProperty(hostileCalls(n), fc.boolean(), fc.constantFrom(...locales), fc.boolean(), run), {
    numRuns,
    examples: worstCalls(n).flatMap((calls): [NormalizedCall[], boolean, "en" | "zh", boolean][] => [
      [calls, true, "zh", false],
      [calls, false, "en", true],
    ]),
  });
}

/** How a Markdown digest row ends with its recording link. */
export const linkSuffix = (url: string, label: string) => ` · [${label}](${url})`;

/**
 * `rows` without their recording links: either every row ends with its call's link (`suffix` of its URL and text),
 * or the digest left them all out and no row holds one.
 */
export function withoutLinks(rows: string[], links: DigestLinks, suffix: (url: string, label: string) => string) {
  const ends = rows.map((_, i) => suffix(links.urls[i] ?? "", links.label));
  const linked = links.urls.length > 0 && rows.every((row, i) => row.endsWith(ends[i] as string));
  for (const url of linked ? [] : links.urls) expect(rows.join("\n")).not.toContain(url);
  return linked ? rows.map((row, i) => row.slice(0, -(ends[i] as string).length)) : rows;
}

/** Whether `text` is `**…**` and more, with no unescaped Markdown in or after the bold part. */
export function strongEscaped(text: string): boolean {
  const match = /^\*\*((?:\\.|[^\\*])*)\*\*(.*)$/s.exec(text);
  return match !== null && markdownEscaped(match[1] ?? "") && markdownEscaped(match[2] ?? "");
}

/** A receiver's answer; an object body is sent as JSON. */
export function answer(status: number, body: unknown = "", headers: Record<string, string> = {}): ReceiverResponse {
  return { status, headers: new Headers(headers), body: typeof body === "string" ? body : JSON.stringify(body) };
}

/** Text that tries every escape: markup of each platform, mentions, entities, control characters, long runs. */
export const hostileText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 3000 }),
  fc.string({
    unit: fc.constantFrom(
      "<",
      ">",
      "&",
      "*",
      "_",
      "`",
      "~",
      "|",
      "[",
      "]",
      "#",
      "\\",
      "@",
      "a",
      " ",
      "\n",
      "😀",
      "中",
      "\u0001",
    ),
    maxLength: 12_000,
  }),
  fc.constantFrom(
    "<!channel>",
    "@everyone",
    "<@123456789>",
    '<at user_id="all">所有人</at>',
    "[click](https://evil.test)",
    "**bold** _it_ ~~s~~ ||spoiler||",
    "&lt;b&gt;",
    "</b><a href='https://evil.test'>x</a>",
  ),
);

/** Whether `text` holds `raw` only backslash-escaped: no unescaped Markdown or mention syntax left. */
export function markdownEscaped(text: string): boolean {
  return !/(^|[^\\])(\\\\)*[`*_~|[\]<>#]/.test(text);
}
