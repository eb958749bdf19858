/** A place to go next from an empty list: where, and what it is called there. */
export type NextStep = { href: string; label: string };

/** What an empty list says: why it is empty, and the links that fill it. */
export function EmptyState({ text, next = [] }: { text: string; next?: NextStep[] }) {
  return (
    <p class="empty" data-empty>
      {text}
      {next.map((step) => (
        <>
          {" "}
          <a href={step.href}>{step.label} →</a>
        </>
      ))}
    </p>
  );
}
