// Building DOM safely: every piece of text goes in as text (textContent), never as HTML,
// so nothing a participant types can become markup or script.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "text") el.textContent = value;
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function replace(el, ...children) {
  clear(el).append(...children.flat().filter((c) => c != null && c !== false));
  return el;
}

// Ask for a short text (a reason, a message) in an accessible dialog; resolves with the
// text, or null when cancelled.
export function ask({ title, label, submit, cancel, required = true, maxLength = 200, value = "" }) {
  return new Promise((resolve) => {
    const input = h("input", { type: "text", maxlength: maxLength, value, required, id: "ask-input" });
    input.value = value;
    const form = h("form", { method: "dialog", class: "ask" },
      h("h2", { text: title }),
      h("label", { for: "ask-input", text: label }),
      input,
      h("div", { class: "actions" },
        h("button", { type: "submit", value: "ok", text: submit }),
        h("button", { type: "button", class: "secondary", text: cancel,
                      onclick: () => { dialog.close("cancel"); } })));
    const dialog = h("dialog", { "aria-label": title }, form);
    dialog.addEventListener("close", () => {
      const text = input.value.trim();
      dialog.remove();
      resolve(dialog.returnValue === "ok" && (text || !required) ? text : null);
    });
    form.addEventListener("submit", (event) => {
      if (required && !input.value.trim()) { event.preventDefault(); input.focus(); }
    });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}
