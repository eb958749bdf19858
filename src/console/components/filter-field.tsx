import { operators } from "../../model/filters/validate";
import type { T } from "../shell/i18n";
import { FieldError } from "./field-error";

/** The filter builder: rows edit the JSON filter in the textarea (with script); the textarea alone works without. */
export function FilterField({
  value,
  issues,
  t,
}: {
  value: string;
  issues: { path: string; message: string }[];
  t: T;
}) {
  return (
    <fieldset
      class="filter-builder"
      data-filter-builder
      data-operators={operators.filter((o) => o !== "$not").join(" ")}
    >
      <legend>{t("filter")}</legend>
      <div data-builder-rows hidden>
        <label>
          {t("match")}{" "}
          <select data-builder-mode>
            <option value="all">{t("matchAll")}</option>
            <option value="any">{t("matchAny")}</option>
          </select>
        </label>
        <ul data-builder-list />
        <button type="button" data-builder-add>
          {t("addRow")}
        </button>
      </div>
      <label for="filter">{t("filterJson")}</label>
      <textarea id="filter" name="filter" rows={4} data-builder-json>
        {value}
      </textarea>
      <FieldError issues={issues} path="filter" />
      <p aria-live="polite" data-preview-text={t("wouldMatch")} data-builder-preview />
    </fieldset>
  );
}
