/** A link to the next page of a list: the current query with `cursor` replaced. */
export function NextPage({ url, cursor, label }: { url: string; cursor: string | null; label: string }) {
  if (cursor === null) return null;
  const next = new URL(url);
  next.searchParams.set("cursor", cursor);
  return (
    <p>
      <a href={`${next.pathname}${next.search}`}>{label} →</a>
    </p>
  );
}
