import { exports } from "cloudflare:workers";
import { ADMIN_TOKEN, BASE } from "../support/worker";

/** A console request through the real Worker, as a same-origin browser would send it. */
export function page(
  path: string,
  init: {
    method?: string;
    cookie?: string;
    form?: Record<string, string> | URLSearchParams;
    headers?: Record<string, string>;
  } = {},
) {
  const headers: Record<string, string> = { origin: BASE, ...init.headers };
  if (init.cookie) headers.cookie = init.cookie;
  if (init.form) headers["content-type"] = "application/x-www-form-urlencoded";
  return exports.default.fetch(`${BASE}${path}`, {
    method: init.method ?? (init.form ? "POST" : "GET"),
    headers,
    body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    redirect: "manual",
  });
}

/** Signs in with the admin token; answers the session cookie (`name=value`). */
export async function signIn(ip = `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`) {
  const res = await page("/sign-in", { form: { token: ADMIN_TOKEN, next: "/" }, headers: { "cf-connecting-ip": ip } });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  return sessionCookie(res);
}

/** The `name=value` of the session cookie a response sets. */
export function sessionCookie(res: Response): string {
  const set = res.headers.getSetCookie().find((c) => c.startsWith("callrelay_session="));
  if (!set) throw new Error("no session cookie");
  return set.split(";")[0] as string;
}
