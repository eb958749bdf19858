/** A description written for the OpenAPI document (Markdown code spans), as plain text. */
export function DocText({ text }: { text: string | undefined }) {
  if (!text) return null;
  return <small class="muted meaning">{text.replace(/`/g, "")}</small>;
}
