// Follows a backfill on its page: polls the console's progress route every
// second and moves the <progress> bar until the backfill is done. Without
// JavaScript the page has a refresh link instead.

const box = document.querySelector("[data-backfill]");
if (box && !box.hasAttribute("data-done")) {
  const bar = box.querySelector("[data-backfill-bar]");
  const set = (sel, text) => {
    const el = document.querySelector(sel);
    if (el) el.textContent = text;
  };
  const poll = async () => {
    let p;
    try {
      const res = await fetch(box.dataset.backfill, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!res.ok) throw new Error(res.status);
      p = await res.json();
    } catch {
      setTimeout(poll, 3000); // the hub may be restarting: try again, slower
      return;
    }
    const b = p.backfill;
    bar.value = p.percent;
    bar.textContent = p.percent + "%";
    set("[data-backfill-percent]", p.percent + "%");
    set("[data-backfill-queued]", b.queued);
    set("[data-backfill-count]", b.count);
    set("[data-backfill-status]", b.status);
    const status = document.querySelector("[data-backfill-status]");
    if (status) status.className = "badge " + (b.status === "completed" ? "ok" : b.status === "failed" ? "bad" : "warn");
    if (b.error) {
      const err = document.querySelector("[data-backfill-error]");
      err.textContent = b.error;
      err.hidden = false;
    }
    if (p.done) {
      if (b.completed_at) set("[data-backfill-completed]", new Date(b.completed_at).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC"));
      document.querySelector("[data-backfill-refresh]").hidden = true;
      return;
    }
    setTimeout(poll, 1000);
  };
  document.querySelector("[data-backfill-refresh]").hidden = true;
  setTimeout(poll, 1000);
}
