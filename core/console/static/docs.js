// "Try it" for the API reference (/docs): a signed-in user pastes a test
// key, kept in this tab's sessionStorage only, and sends any operation to
// this same hub with fetch. The page is complete without it; the forms are
// hidden until this module shows them.

const keyBox = document.querySelector("[data-try-key]");
const keyInput = document.getElementById("try-key");
const storageKey = "bellhop.docs.key";

if (keyBox && keyInput) {
  keyBox.hidden = false;
  keyInput.value = sessionStorage.getItem(storageKey) ?? "";
  keyInput.addEventListener("input", () => sessionStorage.setItem(storageKey, keyInput.value.trim()));

  for (const form of document.querySelectorAll("form[data-try]")) {
    form.hidden = false;
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      send(form);
    });
  }
}

async function send(form) {
  const result = form.querySelector("[data-result]");
  const status = form.querySelector("[data-status]");
  const took = form.querySelector("[data-took]");
  const output = form.querySelector("[data-output]");
  const show = (badge, cls, text, ms) => {
    result.hidden = false;
    status.textContent = badge;
    status.className = "badge " + cls;
    took.textContent = ms === undefined ? "" : `${ms} ms`;
    output.textContent = text;
  };

  const key = keyInput.value.trim();
  if (!key.startsWith("bh_test_")) {
    show("No key", "warn", "Paste a test key (bh_test_…) above first. Live keys are not sent from this page.");
    keyInput.focus();
    return;
  }

  let path = form.dataset.path;
  const query = new URLSearchParams();
  for (const input of form.querySelectorAll("[data-param]")) {
    const value = input.value.trim();
    if (input.dataset.in === "path") {
      if (!value) {
        show("Missing", "warn", `Fill in ${input.dataset.param}: it is part of the path.`);
        input.focus();
        return;
      }
      path = path.replace(`{${input.dataset.param}}`, encodeURIComponent(value));
    } else if (value) {
      query.set(input.dataset.param, value);
    }
  }
  if ([...query].length) path += "?" + query;

  const init = { method: form.dataset.method, headers: { Authorization: "Bearer " + key }, credentials: "omit" };
  const body = form.querySelector("[data-body]");
  if (body && form.dataset.method !== "GET") {
    try {
      JSON.parse(body.value);
    } catch (err) {
      show("Bad JSON", "warn", "The body is not valid JSON: " + err.message);
      body.focus();
      return;
    }
    init.headers["Content-Type"] = "application/json";
    init.body = body.value;
  }

  const started = performance.now();
  try {
    const res = await fetch(path, init);
    const ms = Math.round(performance.now() - started);
    const text = await res.text();
    let pretty = text;
    try {
      pretty = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // not JSON: shown as it is
    }
    const cls = res.ok ? "ok" : res.status >= 500 ? "bad" : "warn";
    show(`${res.status} ${res.statusText}`, cls, pretty, ms);
  } catch (err) {
    show("Failed", "bad", "The request could not be sent: " + err.message);
  }
}
