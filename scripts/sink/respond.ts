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

/** What each chat platform answers on success, by the first segment of the path the destination points at. */
const platformSuccess: Record<string, string> = {
  feishu: '{"code":0,"msg":"success"}',
  dingtalk: '{"errcode":0,"errmsg":"ok"}',
  wecom: '{"errcode":0,"errmsg":"ok"}',
  discord: '{"id":"0","type":0}',
};

/**
 * The answer for a request to `path`: Slack's plain-text `ok` under `/slack`, each chat platform's own success
 * body under `/feishu`, `/dingtalk`, `/wecom`, `/discord`, `{"ok":true}` elsewhere; another status gets Slack's
 * `internal_error` or `{"ok":false,…}`. `body` replaces the default body.
 */
export function answerFor(path: string, status: number, body?: string): SinkAnswer {
  if (body !== undefined) {
    return { status, contentType: looksLikeJson(body) ? "application/json" : "text/plain; charset=utf-8", body };
  }
  if (path.startsWith("/slack")) {
    return { status, contentType: "text/plain; charset=utf-8", body: isSuccess(status) ? "ok" : "internal_error" };
  }
  const platform = platformSuccess[path.split("/")[1] ?? ""];
  if (platform && isSuccess(status)) return { status, contentType: "application/json", body: platform };
  return {
    status,
    contentType: "application/json",
    body: isSuccess(status) ? '{"ok":true}' : JSON.stringify({ ok: false, error: `the sink answers ${status}` }),
  };
}
