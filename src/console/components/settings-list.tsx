import type { destinationView } from "../../http/admin/destination-view";
import { configSpecs, optionSpecs } from "../shell/destination-fields";
import type { Lang, T } from "../shell/i18n";
import { settingLabel } from "../shell/setting-labels";

function shown(value: unknown, t: T): string {
  if (value === undefined || value === null || value === "") return "—";
  if (value === true) return t("yes");
  if (value === false) return t("no");
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join(", ");
  }
  return String(value);
}

/** A destination's settings and options as labelled fields (secrets as masked by the view), never JSON. */
export function SettingsList({ d, lang, t }: { d: ReturnType<typeof destinationView>; lang: Lang; t: T }) {
  const options = d.options as Record<string, unknown>;
  const rows = [
    ...configSpecs(d.type).map((s) => [s.name, d.config[s.name]] as const),
    ...optionSpecs.map((s) => [s.name, options[s.name]] as const),
  ];
  return (
    <dl class="fields">
      {rows.map(([name, value]) => {
        const { label, meaning } = settingLabel(name, lang);
        return (
          <div data-setting={name}>
            <dt title={meaning}>{label}</dt>
            <dd>{shown(value, t)}</dd>
          </div>
        );
      })}
      <div>
        <dt>{t("events")}</dt>
        <dd>{d.events.join(", ")}</dd>
      </div>
      <div>
        <dt>{t("sourcesShort")}</dt>
        <dd>{d.sourceIds.length === 0 ? t("allSources") : d.sourceIds.join(", ")}</dd>
      </div>
    </dl>
  );
}
