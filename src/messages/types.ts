import type { z } from "zod";
import type { NormalizedCall } from "../model/calls/fields";
import type { OperationEvent } from "../model/events/types";
import type { TemplatePart } from "./template";

/** Per-destination presentation settings. */
export type DestinationOptions = {
  /** IANA time zone for times shown in messages, e.g. `Asia/Shanghai`. */
  timezone: string;
  locale: "en" | "zh";
  /** Hide the middle of the callee number (personal data). */
  maskCallee: boolean;
};

/** What a destination type needs to know about the deployment when it checks a config. */
export interface ConfigContext {
  /** Plain `http` to loopback hosts is allowed (local dev and tests only). */
  allowHttp: boolean;
}

/** Everything an adapter needs to build the request for one delivery. */
export interface RenderInput<C> {
  config: C;
  call: NormalizedCall;
  options: DestinationOptions;
  /** Stable across retries: the delivery id. */
  deliveryId: string;
  /** Epoch ms of this attempt. */
  now: number;
  /** Secrets still accepted during a rotation (webhook signing), besides the one in `config`. */
  extraSecrets: string[];
  /** The destination's template: the message text (chat) or the JSON body (webhook) instead of the default. */
  template?: readonly TemplatePart[];
  /** A link to the call's recording (callrelay's `/recordings/:token`), which chat messages carry as a link. */
  recordingUrl?: string;
}

/** Several calls for one message: a chat type's compact list, when a burst is queued. */
export interface DigestInput<C> {
  config: C;
  calls: NormalizedCall[];
  /** Each call's recording link, at the call's index: rows carry them when they all fit the platform's limit. */
  recordingUrls?: readonly (string | undefined)[];
  options: DestinationOptions;
  now: number;
}

/** Everything an adapter needs to build the request for one event delivery (any type but `call.reported`). */
export interface EventRenderInput<C> {
  config: C;
  event: OperationEvent;
  options: DestinationOptions;
  /** Stable across retries: the delivery id. */
  deliveryId: string;
  now: number;
  extraSecrets: string[];
}

/** At most `count` messages in any `windowMs`. */
export interface RateRule {
  count: number;
  windowMs: number;
}

/** The HTTP request a delivery sends. */
export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What the receiver answered, as the consumer saw it. */
export interface ReceiverResponse {
  status: number;
  headers: Headers;
  /** The body text (possibly truncated). */
  body: string;
}

/** How to go on after an answer. */
export type Verdict =
  | { outcome: "delivered" }
  | { outcome: "retry"; reason: string; retryAfterSeconds?: number }
  | { outcome: "failed"; reason: string };

/** One destination type: its config, how a call is rendered for it, and how its answers are read. */
export interface DestinationType<C extends Record<string, unknown> = Record<string, unknown>> {
  type: string;
  /** Chat types mask the callee by default. */
  chat: boolean;
  /** Validates and normalizes a config (URL rules included). */
  configSchema(ctx: ConfigContext): z.ZodType<C>;
  /** Config fields shown masked in API reads. */
  secretFields: readonly (keyof C & string)[];
  render(input: RenderInput<C>): Promise<OutboundRequest> | OutboundRequest;
  /** What is wrong with a template (whose fields are known) for this type, checked when it is saved. */
  checkTemplate(parts: readonly TemplatePart[]): string | undefined;
  /** The platform's documented send rate, enforced per destination. */
  rateLimits?: readonly RateRule[];
  /** Renders several calls as one message (at most `digestMax`), so a burst stays under the rate. */
  renderDigest?(input: DigestInput<C>): Promise<OutboundRequest> | OutboundRequest;
  digestMax?: number;
  /** Renders an event about the operation (alert or digest), in the platform's idiom and within its limits. */
  renderEvent(input: EventRenderInput<C>): Promise<OutboundRequest> | OutboundRequest;
  /** Reads the receiver's answer. A `failed` verdict is permanent: the destination gets disabled. */
  classify(response: ReceiverResponse): Verdict;
}
