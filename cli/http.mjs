// @ts-check
import { UsageError } from "./args.mjs";

/** How long one request may take before the relay counts as unreachable. */
const REQUEST_TIMEOUT_MS = 60_000;

/** @typedef {(url: string, init: RequestInit) => Promise<Response>} Fetch */
/** @typedef {Record<string, string | number | boolean | undefined>} Query */
/** @typedef {{data: unknown[], nextCursor: string | null}} Page */

/**
 * @typedef {object} Api
 * @property {(route: string, query?: Query) => Promise<unknown>} get
 * @property {(route: string, body?: unknown) => Promise<unknown>} post
 * @property {(route: string, body: unknown) => Promise<unknown>} patch
 * @property {(route: string) => Promise<unknown>} delete
 * @property {(route: string) => Promise<unknown>} getPublic A route outside the admin API (e.g. `/health`),
 *   without the token
 * @property {string} base The relay's base URL
 */

/** An error answer of the admin API (`{"error": {code, message, details}}`), or an answer that is not its JSON. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   * @param {unknown} [details]
   */
  constructor(status, message, details) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.details = details;
  }
}

/** The server at the URL answered, but not as a callrelay relay does. */
export class NotCallrelayError extends Error {
  /**
   * @param {string} url
   * @param {string} what
   */
  constructor(url, what) {
    super(`${url} is not a callrelay relay's admin API: ${what}. Check --relay or CALLRELAY_URL.`);
    this.name = "NotCallrelayError";
  }
}

/** The relay could not be reached, or the connection broke. */
export class NetworkError extends Error {
  /**
   * @param {string} url
   * @param {unknown} cause
   */
  constructor(url, cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const detail = cause instanceof Error && cause.cause instanceof Error ? ` (${cause.cause.message})` : "";
    super(`could not reach ${url}: ${reason}${detail}`, { cause });
    this.name = "NetworkError";
  }
}

/**
 * The relay's base URL from `--url` or `CALLRELAY_URL`: http(s), without a trailing `/` or `/api/v1`.
 * @param {string} raw
 */
export function relayBase(raw) {
  /** @type {URL} */
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`"${raw}" is not a URL; give the relay's address, e.g. https://callrelay.example.workers.dev`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new UsageError(`"${raw}" is not an http(s) URL`);
  url.search = "";
  url.hash = "";
  return url.href.replace(/\/+$/, "").replace(/\/api\/v1$/, "");
}

/** @param {string} text */
const snippet = (text) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

/**
 * A client of the admin API at `base` (see {@link relayBase}), authenticated with `token`. Throws
 * {@link ApiError} for an error answer and {@link NetworkError} when the relay cannot be reached.
 * @param {Fetch} fetch
 * @param {string} base
 * @param {string} token
 * @returns {Api}
 */
export function createApi(fetch, base, token) {
  /**
   * @param {string} method
   * @param {string} route
   * @param {Query} query
   * @param {unknown} body
   * @param {boolean} [admin] An admin API route (under `/api/v1`, with the token)
   */
  async function request(method, route, query, body, admin = true) {
    const url = new URL(`${base}${admin ? "/api/v1" : ""}${route}`);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    /** @type {Record<string, string>} */
    const headers = admin
      ? { authorization: `Bearer ${token}`, accept: "application/json" }
      : { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    /** @type {string} */
    let text;
    /** @type {Response} */
    let res;
    try {
      res = await fetch(url.href, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      text = await res.text();
    } catch (err) {
      throw new NetworkError(url.href, err);
    }
    if (res.status === 204) return null;
    /** @type {unknown} */
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      throw new NotCallrelayError(base, `HTTP ${res.status}, not JSON: ${snippet(text)}`);
    }
    if (res.ok) {
      if (json === null || typeof json !== "object")
        throw new NotCallrelayError(base, `the answer is ${snippet(text)}`);
      return json;
    }
    const error = json && typeof json === "object" && "error" in json ? json.error : undefined;
    if (error && typeof error === "object" && "message" in error && typeof error.message === "string") {
      throw new ApiError(res.status, error.message, "details" in error ? error.details : undefined);
    }
    throw new NotCallrelayError(base, `HTTP ${res.status} ${snippet(text)}`);
  }

  return {
    base,
    get: (route, query = {}) => request("GET", route, query, undefined),
    post: (route, body = {}) => request("POST", route, {}, body),
    patch: (route, body) => request("PATCH", route, {}, body),
    delete: (route) => request("DELETE", route, {}, undefined),
    getPublic: (route) => request("GET", route, {}, undefined, false),
  };
}

/** Most requests a command makes to read one list. */
export const MAX_PAGES = 50;

/**
 * The rows of a list, following `nextCursor` for at most `maxPages` requests.
 * @param {Api} api
 * @param {string} route
 * @param {Query} query
 * @param {number} [maxPages]
 * @returns {Promise<Page>} `nextCursor` is set when rows remain after the last page read
 */
export async function listPages(api, route, query, maxPages = MAX_PAGES) {
  /** @type {unknown[]} */
  const data = [];
  /** @type {string | null} */
  let cursor = null;
  for (let pages = 0; pages < maxPages; pages++) {
    const page = /** @type {Page} */ (await api.get(route, { ...query, cursor: cursor ?? undefined }));
    if (!Array.isArray(page.data) || (page.nextCursor !== null && typeof page.nextCursor !== "string")) {
      throw new NotCallrelayError(api.base, `GET ${route} answered JSON without a list ({"data": [...]})`);
    }
    data.push(...page.data);
    cursor = page.nextCursor;
    if (cursor === null) break;
  }
  return { data, nextCursor: cursor };
}

/**
 * A path with each interpolated value URL-encoded: path`/sources/${id}/rotate-token`.
 * @param {TemplateStringsArray} strings
 * @param {...unknown} values
 */
export function path(strings, ...values) {
  return strings.reduce((out, text, i) => `${out}${encodeURIComponent(String(values[i - 1]))}${text}`);
}
