import { destinationTypes } from "../../messages/destinations/registry";
import { configSpecs } from "../shell/destination-fields";
import type { Lang, T } from "../shell/i18n";
import { FieldError } from "./field-error";
import { FilterField } from "./filter-field";
import { SettingField } from "./setting-field";

type Issue = { path: string; message: string };

/** A new destination: its type (a select that reloads the form), name, that type's settings, and its filter. */
export function CreateForm({
  t,
  lang,
  issues,
  values,
}: {
  t: T;
  lang: Lang;
  issues: Issue[];
  values: { name: string; type: string; config: Record<string, unknown>; filter: string };
}) {
  return (
    <>
      <form method="get" action="/destinations/new" class="card">
        <label for="type">{t("type")}</label>
        <select id="type" name="type" data-submit-on-change>
          {Object.keys(destinationTypes).map((type) => (
            <option value={type} selected={type === values.type}>
              {type}
            </option>
          ))}
        </select>
        <button type="submit">{t("chooseType")}</button>
      </form>
      <form method="post" action="/destinations/new" class="card">
        <input type="hidden" name="type" value={values.type} />
        <label for="name">{t("name")}</label>
        <input id="name" name="name" value={values.name} required maxlength={100} />
        <FieldError issues={issues} path="name" />
        <fieldset>
          <legend>
            {t("config")}: {values.type}
          </legend>
          {configSpecs(values.type).map((spec) => (
            <SettingField
              spec={spec}
              prefix="config."
              value={values.config[spec.name]}
              issues={issues}
              lang={lang}
              t={t}
              creating
            />
          ))}
          <FieldError issues={issues.filter((i) => i.path === "config")} path="config" />
          <FieldError issues={issues} path="type" />
        </fieldset>
        <FilterField value={values.filter} issues={issues} t={t} />
        <button type="submit">{t("create")}</button>
      </form>
    </>
  );
}
