/** What the sink answers. */
export interface SinkAnswer {
  status: number;
  contentType: string;
  body: string;
}

const isSuccess = (status: number) => status >= 200 && status < 300;

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The answer for a request to `path`: Slack's plain-text `ok` under `/slack`, `{"ok":true}` elsewhere; another
 * status gets Slack's `internal_error` or `{"ok":false,…}`. `body` replaces the default body.
 */
export function answerFor(path: string, status: number, body?: string): SinkAnswer {
  if (body !== undefined) {
    return { status, contentType: looksLikeJson(body) ? "application/json" : "text/plain; charset=utf-8", body };
  }
  if (path.startsWith("/slack")) {
    return { status, contentType: "text/plain; charset=utf-8", body: isSuccess(status) ? "ok" : "internal_error" };
  }
  return {
    status,
    contentType: "application/json",
    body: isSuccess(status) ? '{"ok":true}' : JSON.stringify({ ok: false, error: `the sink answers ${status}` }),
  };
}
