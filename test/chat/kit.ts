import fc from "fast-check";
import type { DestinationOptions, DestinationType, ReceiverResponse } from "../../src/destinations/types";
import type { NormalizedCall } from "../../src/ingest/fields";
import { normalize } from "../../src/ingest/normalize";
import { parseRecord } from "../../src/ingest/record-schema";
import sample from "../fixtures/sample-push.json";

const parsed = parseRecord(sample.array[0]);
if (!parsed.ok) throw new Error(parsed.error);

/** The spec's sample record, as stored. */
export const sampleCall: NormalizedCall = normalize(parsed.report, "src_default", 1774509790000);

/** The default options of a chat destination, in English. */
export const english: DestinationOptions = { timezone: "Asia/Shanghai", locale: "en", maskCallee: true };
export const chinese: DestinationOptions = { ...english, locale: "zh" };

/** Epoch ms of the rendered attempt. */
export const attemptAt = 1774509791000;

/** Renders the sample call, changed by `changes`, for a destination of `type`. */
export async function render<C extends Record<string, unknown>>(
  type: DestinationType<C>,
  config: C,
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
  });
  return { request, body: JSON.parse(request.body) };
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
