// Progressive enhancement for every page. Pages work without it; this adds
// copy buttons and keeps the mode switch on the page it was pressed on.
// No inline script is allowed (the Content-Security-Policy says so): pages
// mark elements with data- attributes and this module finds them.

for (const input of document.querySelectorAll("[data-current-path]")) {
  input.value = location.pathname + location.search;
}

// <button data-copy="#id"> copies the text of the element #id.
for (const button of document.querySelectorAll("[data-copy]")) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    const source = document.querySelector(button.dataset.copy);
    const text = source.value ?? source.textContent;
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Select and copy";
    }
    setTimeout(() => (button.textContent = "Copy"), 2000);
  });
}

// <form data-confirm="…"> asks before it is sent.
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (e) => {
    if (!confirm(form.dataset.confirm)) e.preventDefault();
  });
}
