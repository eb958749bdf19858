import type { T } from "../shell/i18n";
import { CopyField } from "./copy-button";

/** A destination's new secret, shown this once with a copy button. */
export function SecretOnce({
  secret,
  destination,
  t,
}: {
  secret: string;
  destination: { id: string; name: string };
  t: T;
}) {
  return (
    <section class="card">
      <p>{t("secretOnce")}</p>
      <CopyField label={t("secret")} value={secret} id="new-secret" copy={t("copy")} />
      <pre>{secret}</pre>
      <a href={`/destinations/${destination.id}`}>{destination.name}</a>
    </section>
  );
}
