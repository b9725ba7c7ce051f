// The script editor: the page's <textarea name="source"> becomes a
// JavaScript editor with highlighting and line numbers (CodeJar edits a
// contenteditable element, Prism colours it; both vendored, see
// vendor/*/VENDOR.md). Without JavaScript the textarea is the editor. The
// textarea stays in the form, hidden, and always holds the editor's text,
// so Save and Test post what is on screen. "Run test" answers in place.
//
// CodeJar sets its few styles through element.style, which the
// Content-Security-Policy allows (it blocks style="" attributes in markup).

import { CodeJar } from "/static/vendor/codejar/codejar.js";

const form = document.querySelector("[data-script-form]");
const textarea = form?.querySelector("textarea[data-editor]");
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

let markError = () => {};

if (textarea && window.Prism?.languages?.javascript) {
  const wrap = el("div", { class: "code-editor" });
  const gutter = el("div", { class: "gutter", "aria-hidden": "true" });
  const code = el("div", {
    class: "code language-javascript",
    id: "source-editor",
    role: "textbox",
    "aria-multiline": "true",
    "aria-labelledby": textarea.labels[0]?.id || "source-label",
  });
  wrap.append(gutter, code);
  textarea.after(wrap);
  textarea.hidden = true;
  textarea.required = false; // a hidden required field would block submit silently

  const highlight = (e) => {
    e.innerHTML = window.Prism.highlight(e.textContent, window.Prism.languages.javascript, "javascript");
  };
  const jar = CodeJar(code, highlight, { tab: "  ", spellcheck: false });
  // Long lines scroll rather than wrap, so each line number sits by its line.
  code.style.whiteSpace = "pre";
  code.style.overflowWrap = "normal";

  let errorLine = 0;
  const renumber = (text) => {
    const n = text.split("\n").length;
    if (gutter.childElementCount !== n) {
      const lines = [];
      for (let i = 1; i <= n; i++) lines.push(el("div", {}, String(i)));
      gutter.replaceChildren(...lines);
    }
    for (const [i, line] of [...gutter.children].entries()) line.classList.toggle("error", i + 1 === errorLine);
  };
  markError = (line) => {
    errorLine = line;
    renumber(jar.toString());
  };

  jar.updateCode(textarea.value);
  renumber(textarea.value);
  jar.onUpdate((text) => {
    textarea.value = text;
    renumber(text);
  });

  // Tab indents; Esc first lets the next Tab leave the editor (keyboard users).
  code.addEventListener("keydown", (e) => {
    if (e.key === "Escape") jar.updateOptions({ catchTab: false });
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
      e.preventDefault();
      form.querySelector("[data-script-test]")?.click();
    }
    if ((e.ctrlKey || e.metaKey) && e.key === "s") {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  code.addEventListener("blur", () => jar.updateOptions({ catchTab: true }));
  form.addEventListener("submit", () => (textarea.value = jar.toString()));
}

// Run test: post the form as typed and show the result beside it.
const result = document.getElementById("test-result");
for (const button of form?.querySelectorAll("[data-script-test]") ?? []) {
  button.addEventListener("click", async (e) => {
    e.preventDefault();
    button.disabled = true;
    const label = button.textContent;
    button.textContent = "Running…";
    let data;
    try {
      const res = await fetch(button.formAction, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { Accept: "application/json", "X-CSRF-Token": csrf },
        credentials: "same-origin",
      });
      data = await res.json().catch(() => ({ error: `The hub answered ${res.status}. Reload the page and try again.` }));
    } catch {
      data = { error: "The hub could not be reached." };
    }
    button.disabled = false;
    button.textContent = label;
    result.replaceChildren(render(data));
    // In one column (tablets) the result sits below the form: bring it into view.
    result.scrollIntoView({ block: "nearest", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
  });
}

// lineOf finds "line N" or ":N:M" in an error message.
function lineOf(message) {
  const m = /line (\d+)/i.exec(message) ?? /:(\d+):\d+/.exec(message);
  return m ? Number(m[1]) : 0;
}

function render(data) {
  const box = el("div", { class: "test-result", id: "test-result-body" });
  if (data.error) {
    markError(lineOf(data.error));
    box.append(el("div", { class: "alert error", role: "alert" }, data.error));
    return box;
  }
  const t = data.test;
  const head = el("p", { class: "test-line" });
  if (t.error) {
    markError(lineOf(t.error));
    head.append(el("span", { class: "badge bad" }, t.error_kind || "error"), " ", el("span", { class: "check-message", id: "test-error" }, t.error));
  } else {
    markError(0);
    if (t.skipped) head.append(el("span", { class: "badge warn" }, "Skipped"), " ", el("span", { class: "check-message" }, t.skip_reason));
    else head.append(el("span", { class: "badge ok" }, "Ran"));
  }
  let meta = ` ${t.duration_ms.toFixed(1)} ms`;
  if (t.version) meta += ` · v${t.version}`;
  if (t.event) meta += ` · on ${t.event.id} (${t.event.type})`;
  head.append(el("span", { class: "hint" }, meta));
  box.append(head);
  if (t.output) box.append(el("h3", {}, "Output"), el("pre", { class: "json", id: "test-output" }, data.output));
  const headers = Object.entries(t.headers ?? {});
  if (headers.length) {
    const dl = el("dl", { class: "props" });
    for (const [k, v] of headers) dl.append(el("dt", {}, k), el("dd", { class: "mono" }, v));
    box.append(el("h3", {}, "Headers"), dl);
  }
  box.append(el("h3", {}, "Console"));
  box.append(t.logs?.length ? el("pre", { class: "logs", id: "test-logs" }, t.logs.join("\n")) : el("p", { class: "hint" }, "Nothing logged."));
  return box;
}
