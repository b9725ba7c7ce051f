// The connection form, enhanced: "List … choices" fills a select in place
// (the Slack channels the token sees) and Test shows its result beside the
// form, both without leaving the page, so the secrets typed stay typed.
// Without JavaScript both buttons post the form and the page comes back
// with the list or the result (secrets to type again).

const form = document.querySelector("[data-connection-form]");
const token = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

// post sends the form as typed to url and returns the JSON answer.
async function post(url) {
  const body = new URLSearchParams(new FormData(form));
  const res = await fetch(url, {
    method: "POST",
    body,
    headers: { Accept: "application/json", "X-CSRF-Token": token },
    credentials: "same-origin",
  });
  let data = {};
  try {
    data = await res.json();
  } catch {
    data = { error: `The hub answered ${res.status}. Reload the page and try again.` };
  }
  if (!res.ok && !data.error) data.error = `The hub answered ${res.status}.`;
  return data;
}

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

if (form) {
  for (const button of form.querySelectorAll("[data-options]")) {
    button.addEventListener("click", async (e) => {
      e.preventDefault();
      const name = button.dataset.options;
      const input = document.getElementById(`config-${name}`);
      const message = document.getElementById(`config-${name}-message`);
      button.disabled = true;
      const label = button.textContent;
      button.textContent = "Listing…";
      const data = await post(button.formAction);
      button.disabled = false;
      button.textContent = label;
      message.hidden = false;
      if (data.error) {
        message.className = "field-message error";
        message.textContent = data.error;
        return;
      }
      const options = data.options ?? [];
      if (options.length === 0) {
        message.className = "field-message";
        message.textContent = "Nothing to choose from: type the value instead.";
        return;
      }
      // A select takes the input's name; the input stays for typing.
      let select = document.getElementById(`config-${name}-select`);
      if (!select) {
        select = el("select", { id: `config-${name}-select`, "aria-label": input.labels[0]?.textContent.trim() ?? name });
        input.parentElement.insertBefore(select, input);
      }
      select.replaceChildren(el("option", { value: "" }, "Choose…"));
      for (const o of options) {
        const opt = el("option", { value: o.value }, o.label || o.value);
        if (o.value === input.value) opt.selected = true;
        select.append(opt);
      }
      select.name = input.name;
      select.required = input.required;
      input.removeAttribute("name");
      input.required = false;
      input.hidden = true;
      select.addEventListener("change", () => (input.value = select.value));
      message.className = "field-message ok";
      message.textContent = `${options.length} to choose from.`;
      select.focus();
    });
  }

  const result = document.getElementById("test-result");
  for (const button of form.querySelectorAll("[data-test]")) {
    button.addEventListener("click", async (e) => {
      e.preventDefault();
      button.disabled = true;
      button.textContent = "Testing…";
      result.replaceChildren(el("p", { class: "hint" }, "Checking with the service and running a sample…"));
      const data = await post(button.formAction);
      button.disabled = false;
      button.textContent = "Test";
      result.replaceChildren(render(data));
      // In one column (tablets) the result sits below the form: bring it into view.
      result.scrollIntoView({ block: "nearest", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
    });
  }
}

// render draws a test result as the server's template does.
function render(data) {
  const box = el("div", { class: "test-result", id: "test-result-body" });
  if (data.error) {
    box.append(el("div", { class: "alert error", role: "alert" }, data.error));
    return box;
  }
  const t = data.test;
  const line = (badge, cls, text) => {
    const p = el("p", { class: "test-line" });
    p.append(el("span", { class: `badge ${cls}` }, badge), " ", el("span", { class: "check-message" }, text));
    return p;
  };
  box.append(line(t.check.ok ? "Check passed" : "Check failed", t.check.ok ? "ok" : "bad", t.check.message));
  if (t.check.ok && !t.check.contacted) box.append(line("Not contacted", "warn", "The service was not asked; only the form was checked."));
  if (t.skipped) box.append(line("Skipped", "warn", `The transform skipped the sample ${t.event_type}: ${t.skip_reason}`));
  else if (t.error) box.append(line("Transform failed", "bad", t.error));
  else box.append(line("Transform ran", "ok", `A sample ${t.event_type} becomes this input for the connector (nothing was sent):`));
  if (t.output) box.append(el("pre", { class: "json", id: "test-output" }, data.output));
  if (t.logs?.length) {
    box.append(el("h3", {}, "Console"), el("pre", { class: "logs" }, t.logs.join("\n")));
  }
  return box;
}
