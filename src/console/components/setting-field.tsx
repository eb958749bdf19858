import type { FieldSpec } from "../shell/form-fields";
import type { Lang, T } from "../shell/i18n";
import { settingLabel } from "../shell/setting-labels";

type Issue = { path: string; message: string };

/**
 * One setting as the control that fits it, with its label, its meaning and the API's message right at the field.
 * A secret starts blank (its masked value as the hint; blank keeps it) with a box to clear an optional one.
 */
export function SettingField({
  spec,
  prefix,
  value,
  masked,
  issues,
  lang,
  t,
  creating = false,
}: {
  spec: FieldSpec;
  prefix: string;
  value: unknown;
  masked?: unknown;
  issues: Issue[];
  lang: Lang;
  t: T;
  creating?: boolean;
}) {
  const name = `${prefix}${spec.name}`;
  const id = name.replace(/\./g, "-");
  const { label, meaning } = settingLabel(spec.name, lang);
  const mine = issues.filter((i) => i.path === name || i.path.startsWith(`${name}.`));
  const describedBy = [meaning && `${id}-meaning`, mine.length > 0 && `${id}-error`].filter(Boolean).join(" ");
  const common = {
    id,
    name,
    "aria-describedby": describedBy || undefined,
    "aria-invalid": mine.length > 0 ? ("true" as const) : undefined,
  };
  const text =
    value === undefined || value === null ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
  const hint =
    masked === undefined || masked === null
      ? undefined
      : typeof masked === "object"
        ? JSON.stringify(masked)
        : String(masked);
  const required = !spec.optional && (creating || spec.control !== "secret");
  let control: unknown;
  if (spec.control === "checkbox") {
    control = <input type="checkbox" {...common} checked={value === true} />;
  } else if (spec.control === "select") {
    control = (
      <select {...common} required={required}>
        {spec.optional && <option value="">{t("defaultChoice")}</option>}
        {(spec.choices ?? []).map((choice) => (
          <option value={choice} selected={choice === text}>
            {choice}
          </option>
        ))}
      </select>
    );
  } else if (spec.control === "number") {
    control = (
      <input
        type="number"
        {...common}
        value={text}
        min={spec.min}
        max={spec.max}
        step={spec.step}
        required={required}
      />
    );
  } else if (spec.control === "json") {
    control = (
      <textarea {...common} rows={2} placeholder={hint} autocomplete="off">
        {hint === undefined ? text : ""}
      </textarea>
    );
  } else {
    control = (
      <input
        type={spec.control === "secret" ? "password" : "text"}
        {...common}
        value={spec.control === "secret" ? "" : text}
        placeholder={hint}
        pattern={spec.pattern}
        autocomplete="off"
        required={required}
      />
    );
  }
  const clearable =
    !creating && spec.optional && (spec.control === "secret" || spec.control === "json") && hint !== undefined;
  return (
    <div class={`setting setting-${spec.control}`}>
      {spec.control === "checkbox" ? (
        <label for={id} class="check">
          {control} {label}
        </label>
      ) : (
        <>
          <label for={id}>
            {label} {spec.optional && <small class="muted">({t("optional")})</small>}
          </label>
          {control}
        </>
      )}
      {meaning && (
        <small class="muted meaning" id={`${id}-meaning`}>
          {meaning}
        </small>
      )}
      {clearable && (
        <label class="check" for={`${id}-clear`}>
          <input type="checkbox" id={`${id}-clear`} name={`${name}.clear`} /> {t("clearSetting")}
        </label>
      )}
      {mine.length > 0 && (
        <p class="field-error" role="alert" id={`${id}-error`}>
          {mine.map((i) => i.message).join("; ")}
        </p>
      )}
    </div>
  );
}
