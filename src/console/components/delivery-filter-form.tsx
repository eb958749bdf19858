import { eventTypes } from "../../model/events/types";
import { deliveryStatuses } from "../../storage/db/schema";
import { httpClasses } from "../../storage/delivery-search";
import type { DeliveryFilter, FilterIssue } from "../shell/delivery-filter";
import type { T } from "../shell/i18n";

function Checks({
  name,
  legend,
  values,
  chosen,
  label,
}: {
  name: string;
  legend: string;
  values: readonly string[];
  chosen: readonly string[];
  label: (v: string) => string;
}) {
  return (
    <fieldset class="checks">
      <legend>{legend}</legend>
      {values.map((v) => (
        <label class="check">
          <input type="checkbox" name={name} value={v} checked={chosen.includes(v)} /> {label(v)}
        </label>
      ))}
    </fieldset>
  );
}

/** The deliveries filter as a GET form: every choice lands in the URL, so reload, back and a shared link keep it. */
export function DeliveryFilterForm({
  filter,
  issues,
  destinations,
  t,
}: {
  filter: DeliveryFilter;
  issues: FilterIssue[];
  destinations: { id: string; name: string }[];
  t: T;
}) {
  return (
    <form method="get" action="/deliveries" class="card search filters">
      <Checks
        name="status"
        legend={t("status")}
        values={deliveryStatuses}
        chosen={filter.status}
        label={(v) => t(`status_${v}` as "status_failed")}
      />
      <Checks
        name="http"
        legend={t("httpClass")}
        values={httpClasses}
        chosen={filter.http}
        label={(v) => (v === "none" ? t("noAnswer") : v)}
      />
      <Checks name="event" legend={t("eventType")} values={eventTypes} chosen={filter.event} label={(v) => v} />
      <label>
        {t("destination")}{" "}
        <select name="destination" multiple size={Math.min(5, Math.max(2, destinations.length))}>
          {destinations.map((d) => (
            <option value={d.id} selected={filter.destination.includes(d.id)}>
              {d.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("createdFrom")} <input type="date" name="since" value={filter.since ?? ""} />
      </label>
      <label>
        {t("createdTo")} <input type="date" name="until" value={filter.until ?? ""} />
      </label>
      <label>
        {t("voiceId")} <input name="voiceId" value={filter.voiceId ?? ""} maxlength={100} />
      </label>
      <label>
        {t("phone")}{" "}
        <input name="phone" type="search" inputmode="tel" value={filter.phone ?? ""} placeholder={t("phoneHint")} />
      </label>
      {issues.length > 0 && (
        <p class="field-error" role="alert">
          {t("ignored")}: {issues.map((i) => `${i.path}: ${i.message}`).join("; ")}
        </p>
      )}
      <div class="buttons">
        <button type="submit">{t("search")}</button> <a href="/deliveries">{t("clearFilters")}</a>
      </div>
    </form>
  );
}
