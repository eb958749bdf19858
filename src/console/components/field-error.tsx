/** The API's validation messages for one field, shown next to it. */
export function FieldError({ issues, path }: { issues: { path: string; message: string }[]; path: string }) {
  const mine = issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`) || i.path.startsWith(`${path}[`));
  if (mine.length === 0) return null;
  return (
    <p class="field-error" role="alert">
      {mine.map((i) => `${i.path}: ${i.message}`).join("; ")}
    </p>
  );
}
