import type { destinationView } from "../../http/admin/destination-view";
import { eventTypes } from "../../model/events/types";
import { configSpecs, optionSpecs } from "../shell/destination-fields";
import type { Lang, T } from "../shell/i18n";
import { FieldError } from "./field-error";
import { SettingField } from "./setting-field";

type Issue = { path: string; message: string };

/**
 * A destination's settings, events, options, sources and template, each field the control that fits it. `posted`
 * (after a refused save) keeps what was typed.
 */
export function EditForm({
  d,
  issues,
  lang,
  t,
  posted,
}: {
  d: ReturnType<typeof destinationView>;
  issues: Issue[];
  lang: Lang;
  t: T;
  posted?: { config: Record<string, unknown>; options: Record<string, unknown> };
}) {
  const options = posted?.options ?? (d.options as Record<string, unknown>);
  return (
    <form method="post" action={`/destinations/${d.id}/edit`} class="card" id="edit" novalidate>
      <h2>{t("edit")}</h2>
      <fieldset>
        <legend>
          {t("config")}: {d.type}
        </legend>
        {configSpecs(d.type).map((spec) => (
          <SettingField
            spec={spec}
            prefix="config."
            value={
              spec.control === "secret" || spec.control === "json"
                ? undefined
                : (posted?.config[spec.name] ?? d.config[spec.name])
            }
            masked={spec.control === "secret" || spec.control === "json" ? d.config[spec.name] : undefined}
            issues={issues}
            lang={lang}
            t={t}
          />
        ))}
        <FieldError issues={issues.filter((i) => i.path === "config")} path="config" />
      </fieldset>
      <fieldset>
        <legend>{t("events")}</legend>
        {eventTypes.map((type) => (
          <label class="check">
            <input type="checkbox" name="events" value={type} checked={d.events.includes(type)} /> {type}
          </label>
        ))}
        <FieldError issues={issues} path="events" />
      </fieldset>
      <fieldset>
        <legend>{t("options")}</legend>
        {optionSpecs.map((spec) => (
          <SettingField spec={spec} prefix="options." value={options[spec.name]} issues={issues} lang={lang} t={t} />
        ))}
      </fieldset>
      <label for="sourceIds">{t("sourceIds")}</label>
      <input id="sourceIds" name="sourceIds" value={d.sourceIds.join(", ")} />
      <FieldError issues={issues} path="sourceIds" />
      <label for="template">{t("template")}</label>
      <textarea id="template" name="template" rows={3}>
        {d.template ?? ""}
      </textarea>
      <FieldError issues={issues} path="template" />
      <button type="submit">{t("save")}</button>
    </form>
  );
}
