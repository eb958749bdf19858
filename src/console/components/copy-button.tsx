/** A read-only text with a copy button (the button works with script; the text can always be selected). */
export function CopyField({ label, value, id, copy }: { label: string; value: string; id: string; copy: string }) {
  return (
    <div class="copy-field">
      <label for={id}>{label}</label>
      <input id={id} readonly value={value} />
      <button type="button" data-copy={id}>
        {copy}
      </button>
    </div>
  );
}
