// callrelay console: copy buttons and the filter builder. Everything else works without script.

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  if (field)
    navigator.clipboard.writeText(field.value).then(
      () => {
        button.textContent = "✓";
      },
      () => field.select(),
    );
});

function rowsFromFilter(filter) {
  const mode = Array.isArray(filter.$or) ? "any" : "all";
  const parts = Array.isArray(filter.$or) ? filter.$or : Array.isArray(filter.$and) ? filter.$and : [filter];
  const rows = [];
  for (const part of parts) {
    if (!part || typeof part !== "object") return null;
    for (const [field, condition] of Object.entries(part)) {
      if (field.startsWith("$")) return null;
      if (condition !== null && typeof condition === "object" && !Array.isArray(condition)) {
        for (const [op, value] of Object.entries(condition)) rows.push({ field, op, value });
      } else rows.push({ field, op: "$eq", value: condition });
    }
  }
  return { mode, rows };
}

function filterFromRows(mode, rows) {
  const parts = rows.filter((r) => r.field).map((r) => ({ [r.field]: { [r.op]: r.value } }));
  if (parts.length === 0) return {};
  return mode === "any" ? { $or: parts } : { $and: parts };
}

function parseValue(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function setUp(box) {
  const json = box.querySelector("[data-builder-json]");
  const list = box.querySelector("[data-builder-list]");
  const mode = box.querySelector("[data-builder-mode]");
  const preview = box.querySelector("[data-builder-preview]");
  box.querySelector("[data-builder-rows]").hidden = false;
  let timer;

  const readRows = () =>
    [...list.children].map((li) => ({
      field: li.querySelector("[name=b-field]").value.trim(),
      op: li.querySelector("[name=b-op]").value,
      value: parseValue(li.querySelector("[name=b-value]").value),
    }));

  const refreshPreview = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      let filter;
      try {
        filter = JSON.parse(json.value || "{}");
      } catch {
        preview.textContent = "JSON?";
        return;
      }
      const res = await fetch("/filters/preview", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ filter }),
      });
      const body = await res.json();
      preview.textContent = res.ok
        ? preview.dataset.previewText.replace("{n}", body.matched).replace("{m}", body.sampled)
        : body.error.message;
    }, 300);
  };

  const fromRows = () => {
    json.value = JSON.stringify(filterFromRows(mode.value, readRows()), null, 2);
    refreshPreview();
  };

  const addRow = (row, index) => {
    const li = document.createElement("li");
    const id = `b${index}-${Math.random().toString(36).slice(2, 7)}`;
    li.innerHTML =
      `<label for="${id}f">Field</label><input id="${id}f" name="b-field">` +
      `<label for="${id}o">Operator</label><select id="${id}o" name="b-op">${box.dataset.operators
        .split(" ")
        .map((o) => `<option>${o}</option>`)
        .join("")}</select>` +
      `<label for="${id}v">Value</label><input id="${id}v" name="b-value">` +
      `<button type="button" data-remove>✕</button>`;
    li.querySelector("[name=b-field]").value = row.field;
    li.querySelector("[name=b-op]").value = row.op;
    li.querySelector("[name=b-value]").value = typeof row.value === "string" ? row.value : JSON.stringify(row.value);
    li.querySelector("[data-remove]").setAttribute("aria-label", `Remove ${row.field || "condition"}`);
    list.append(li);
  };

  const fromJson = () => {
    let parsed;
    try {
      parsed = rowsFromFilter(JSON.parse(json.value || "{}"));
    } catch {
      parsed = null;
    }
    list.replaceChildren();
    if (parsed) {
      mode.value = parsed.mode;
      parsed.rows.forEach(addRow);
    }
    refreshPreview();
  };

  list.addEventListener("input", fromRows);
  list.addEventListener("change", fromRows);
  list.addEventListener("click", (e) => {
    if (e.target.closest("[data-remove]")) {
      e.target.closest("li").remove();
      fromRows();
    }
  });
  mode.addEventListener("change", fromRows);
  json.addEventListener("input", fromJson);
  box.querySelector("[data-builder-add]").addEventListener("click", () => {
    addRow({ field: "", op: "$eq", value: "" }, list.children.length);
    list.lastChild.querySelector("input").focus();
  });
  fromJson();
}

document.querySelectorAll("[data-filter-builder]").forEach(setUp);

// A replay continues chunk after chunk on its own; without script, the button does the same.
for (const form of document.querySelectorAll("form[data-auto-submit]")) form.requestSubmit();

for (const select of document.querySelectorAll("select[data-submit-on-change]")) {
  select.addEventListener("change", () => select.form?.requestSubmit());
}

// Live pages (overview, deliveries, a destination, tail): a page holding [data-live-src] asks that URL again every
// few seconds with `x-live: 1`, and the answer's [data-live] parts are patched into the page in place, so focus,
// scroll position, filters and forms stay as they are. Paused while the tab is hidden; switched off and on with
// the checkbox (remembered in localStorage); every request in flight is aborted when the page goes away.
const LIVE_KEY = "callrelay.live";

function sameKind(a, b) {
  return a.nodeType === b.nodeType && a.nodeName === b.nodeName;
}

// Makes `from` (in the page) read like `to` (fresh from the server), keeping every element that is still there:
// children with a data-key are matched by it, others by position.
function morph(from, to) {
  if (from === document.activeElement && /^(INPUT|SELECT|TEXTAREA)$/.test(from.tagName)) return;
  for (const { name } of [...from.attributes]) if (!to.hasAttribute(name)) from.removeAttribute(name);
  for (const { name, value } of [...to.attributes])
    if (from.getAttribute(name) !== value) from.setAttribute(name, value);
  const keyed = new Map();
  for (const child of from.children) if (child.dataset.key) keyed.set(child.dataset.key, child);
  let cursor = from.firstChild;
  for (const next of [...to.childNodes]) {
    const key = next.nodeType === 1 ? next.dataset.key : undefined;
    let match;
    if (key) match = keyed.get(key);
    else if (cursor && !cursor.dataset?.key && sameKind(cursor, next)) match = cursor;
    if (!match) {
      from.insertBefore(next, cursor);
      continue;
    }
    keyed.delete(key);
    if (match === cursor) cursor = cursor.nextSibling;
    else from.insertBefore(match, cursor);
    if (next.nodeType === 1) morph(match, next);
    else if (match.nodeValue !== next.nodeValue) match.nodeValue = next.nodeValue;
  }
  while (cursor) {
    const gone = cursor;
    cursor = cursor.nextSibling;
    gone.remove();
  }
}

// The tail: new rows go on top (rows read again, still settling, are patched where they are), at most data-live-max.
function prepend(here, fresh) {
  const body = here.querySelector("tbody");
  const first = body.firstChild;
  for (const row of fresh.querySelectorAll("tbody > tr")) {
    const old = body.querySelector(`tr[data-key="${CSS.escape(row.dataset.key)}"]`);
    if (old) morph(old, row);
    else body.insertBefore(row, first);
  }
  if (body.rows.length > 0) here.querySelector("[data-empty]")?.remove();
  const max = Number(here.dataset.liveMax || 100);
  while (body.rows.length > max) body.lastElementChild.remove();
}

function startLive(status) {
  const toggle = status.querySelector("[data-live-toggle]");
  const box = toggle.querySelector("input");
  const said = status.querySelector("[data-live-said]");
  const every = Number(status.dataset.liveEvery || 5) * 1000;
  const words = new Intl.RelativeTimeFormat(document.documentElement.lang || "en", { numeric: "auto" });
  let src = status.dataset.liveSrc;
  let refreshedAt = 0;
  let timer;
  let inFlight;
  let gone = false;
  let signedOut = false;

  const on = () => !gone && !signedOut && box.checked && document.visibilityState === "visible";
  const say = () => {
    if (signedOut) said.textContent = status.dataset.signedOut;
    else if (!box.checked) said.textContent = status.dataset.off;
    else if (document.visibilityState !== "visible") said.textContent = status.dataset.paused;
    else if (status.dataset.state === "failed") said.textContent = status.dataset.failed;
    else if (refreshedAt > 0) {
      const seconds = Math.round((Date.now() - refreshedAt) / 1000);
      const ago = seconds < 60 ? words.format(-seconds, "second") : words.format(-Math.round(seconds / 60), "minute");
      said.textContent = status.dataset.refreshed.replace("{ago}", ago);
    }
  };
  const halt = () => {
    clearTimeout(timer);
    timer = undefined;
    inFlight?.abort();
    inFlight = undefined;
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = on() ? setTimeout(refresh, every) : undefined;
  };

  async function refresh() {
    halt();
    if (!on()) return say();
    const request = new AbortController();
    inFlight = request;
    status.dataset.state = "loading";
    try {
      const res = await fetch(src, {
        headers: { "x-live": "1" },
        cache: "no-store",
        credentials: "same-origin",
        redirect: "error",
        signal: request.signal,
      });
      if (res.status === 401) {
        signedOut = true;
        status.dataset.state = "signed-out";
        return;
      }
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const html = await res.text();
      src = res.headers.get("x-live-next") || src;
      const doc = new DOMParser().parseFromString(html, "text/html");
      for (const fresh of doc.querySelectorAll("[data-live]")) {
        const here = document.querySelector(`[data-live="${CSS.escape(fresh.dataset.live)}"]`);
        if (!here) continue;
        if (here.hasAttribute("data-live-prepend")) prepend(here, fresh);
        else morph(here, fresh);
      }
      refreshedAt = Date.now();
      status.dataset.state = "ok";
      status.dataset.refreshes = String(Number(status.dataset.refreshes || 0) + 1);
    } catch {
      if (request.signal.aborted) return;
      status.dataset.state = "failed";
    } finally {
      if (inFlight === request) {
        inFlight = undefined;
        say();
        schedule();
      }
    }
  }

  box.checked = localStorage.getItem(LIVE_KEY) !== "off";
  toggle.hidden = false;
  box.addEventListener("change", () => {
    localStorage.setItem(LIVE_KEY, box.checked ? "on" : "off");
    if (box.checked) refresh();
    else {
      halt();
      say();
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
    else {
      halt();
      say();
    }
  });
  // Leaving the page (or entering the back-forward cache): nothing stays in flight, nothing is scheduled.
  window.addEventListener("pagehide", () => {
    gone = true;
    halt();
  });
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    gone = false;
    refresh();
  });
  setInterval(say, 1000);
  say();
  schedule();
}

const liveStatus = document.querySelector("[data-live-src]");
if (liveStatus) startLive(liveStatus);
