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
