import { eventTypes } from "../../model/events/types";
import { calleeSearchKey } from "../../storage/db/derived-columns";
import { type DeliveryStatus, deliveryStatuses } from "../../storage/db/schema";
import { type HttpClass, httpClasses } from "../../storage/delivery-search";

/** The deliveries list's filter as it lives in the URL: each list may hold several values, all optional. */
export interface DeliveryFilter {
  status: DeliveryStatus[];
  destination: string[];
  http: HttpClass[];
  event: string[];
  /** Dates (`YYYY-MM-DD`) in the viewer's time zone; `until` is included. */
  since?: string;
  until?: string;
  voiceId?: string;
  phone?: string;
}

export type FilterIssue = { path: string; message: string };

const date = /^\d{4}-\d{2}-\d{2}$/;
const isDate = (v: string) => date.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));

/** The allowed values of `key` that `params` holds, once each, in the allowed order; an unknown one is an issue. */
function pick<T extends string>(
  params: URLSearchParams,
  key: string,
  allowed: readonly T[],
  issues: FilterIssue[],
): T[] {
  const given = new Set(params.getAll(key).filter((v) => v !== ""));
  for (const v of given) {
    if (!(allowed as readonly string[]).includes(v))
      issues.push({ path: key, message: `unknown value ${JSON.stringify(v)}` });
  }
  return allowed.filter((v) => given.has(v));
}

function single(params: URLSearchParams, key: string, max: number, issues: FilterIssue[]): string | undefined {
  const v = params.get(key)?.trim() ?? "";
  if (v === "") return undefined;
  if (v.length > max) {
    issues.push({ path: key, message: `at most ${max} characters` });
    return undefined;
  }
  return v;
}

/**
 * Reads the deliveries filter from a query string. Never throws: what it cannot use is left out and named in
 * `issues`, so a hand-edited link still shows a page and says what was ignored.
 */
export function parseDeliveryFilter(params: URLSearchParams): { filter: DeliveryFilter; issues: FilterIssue[] } {
  const issues: FilterIssue[] = [];
  const destination = [
    ...new Set(
      params
        .getAll("destination")
        .map((v) => v.trim())
        .filter((v) => v !== ""),
    ),
  ];
  if (destination.length > 50) issues.push({ path: "destination", message: "at most 50 destinations" });
  const filter: DeliveryFilter = {
    status: pick(params, "status", deliveryStatuses, issues),
    destination: destination.slice(0, 50).filter((v) => v.length <= 100),
    http: pick(params, "http", httpClasses, issues),
    event: pick(params, "event", eventTypes, issues),
  };
  for (const key of ["since", "until"] as const) {
    const v = single(params, key, 10, issues);
    if (v !== undefined && !isDate(v)) issues.push({ path: key, message: "expected a date YYYY-MM-DD" });
    else if (v !== undefined) filter[key] = v;
  }
  const voiceId = single(params, "voiceId", 100, issues);
  if (voiceId !== undefined) filter.voiceId = voiceId;
  const phone = single(params, "phone", 40, issues);
  if (phone !== undefined) {
    if (/^\d{4,32}$/.test(calleeSearchKey(phone))) filter.phone = phone;
    else issues.push({ path: "phone", message: "expected a phone number or its last 4 or more digits" });
  }
  return { filter, issues };
}

/** The filter as a query string, the one form `parseDeliveryFilter` reads back to the same filter. */
export function deliveryFilterQuery(filter: DeliveryFilter): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ["status", "destination", "http", "event"] as const) {
    for (const v of filter[key]) params.append(key, v);
  }
  for (const key of ["since", "until", "voiceId", "phone"] as const) {
    const v = filter[key];
    if (v !== undefined) params.set(key, v);
  }
  return params;
}

/** Whether the filter selects anything narrower than every delivery. */
export function isFiltered(filter: DeliveryFilter): boolean {
  return deliveryFilterQuery(filter).size > 0;
}
