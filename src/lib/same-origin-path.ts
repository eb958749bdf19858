/**
 * Where to send a browser back to (after signing in, after saving settings): `value` resolved against `origin` as a
 * browser would (tabs and newlines dropped, `\` read as `/`, dot segments removed), kept only when it stays on
 * `origin`. Answers a path-absolute reference (`/calls?x=1`), never one a browser reads as another host; `/` otherwise.
 */
export function sameOriginPath(value: unknown, origin: string): string {
  if (typeof value !== "string" || !value.startsWith("/")) return "/";
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return "/";
  }
  if (url.origin !== new URL(origin).origin) return "/";
  // A serialized path may still start with `//` (`/.//evil.example`): a browser reads that as another host.
  return `${url.pathname.replace(/^\/+/, "/")}${url.search}${url.hash}`;
}
