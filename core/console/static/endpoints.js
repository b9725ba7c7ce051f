// The new-endpoint form: "All events" and each group's box tick the types
// under them, and "Add header" adds a row of header fields. Without
// JavaScript each type is ticked by itself and the form has two header rows.

const form = document.querySelector("#endpoint-form");
if (form) {
  const all = form.querySelector("[data-all-events]");
  const types = () => form.querySelectorAll('input[name="enabled_events"]:not([value="*"])');
  const sync = () => {
    for (const t of types()) t.disabled = all.checked;
    for (const g of form.querySelectorAll("[data-type-group]")) {
      const boxes = [...g.querySelectorAll('input[name="enabled_events"]')];
      const toggle = g.querySelector("[data-group-toggle]");
      toggle.disabled = all.checked;
      toggle.checked = boxes.length > 0 && boxes.every((b) => b.checked);
      toggle.indeterminate = !toggle.checked && boxes.some((b) => b.checked);
    }
  };
  all.addEventListener("change", sync);
  for (const g of form.querySelectorAll("[data-type-group]")) {
    const toggle = g.querySelector("[data-group-toggle]");
    toggle.addEventListener("change", () => {
      for (const b of g.querySelectorAll('input[name="enabled_events"]')) b.checked = toggle.checked;
      sync();
    });
    g.addEventListener("change", (e) => {
      if (e.target !== toggle) sync();
    });
  }
  sync();

  const rows = form.querySelector("[data-header-rows]");
  const add = form.querySelector("[data-add-header]");
  if (rows && add) {
    add.hidden = false;
    add.addEventListener("click", () => {
      const last = rows.querySelector("[data-header-row]:last-of-type");
      const row = last.cloneNode(true);
      const n = rows.querySelectorAll("[data-header-row]").length;
      for (const el of row.querySelectorAll("input, label")) {
        if (el.tagName === "LABEL") el.htmlFor = el.htmlFor.replace(/\d+$/, n);
        else {
          el.id = el.id.replace(/\d+$/, n);
          el.value = "";
        }
      }
      rows.append(row);
      row.querySelector("input").focus();
    });
  }
}
