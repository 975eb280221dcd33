// @ts-check
// Building DOM safely: every piece of text goes in as text (textContent), never as HTML,
// so nothing a participant types can become markup or script.

/**
 * An attribute's value: null, undefined and false leave it out, true sets it empty;
 * `on…` takes a listener, `dataset` an object, `text` the text content.
 * @typedef {string | number | boolean | null | undefined | ((event: Event) => unknown)
 *   | Record<string, string | number | null | undefined>} AttrValue
 */
/** @typedef {Record<string, AttrValue>} Attrs */
/** @typedef {Node | string | number | null | undefined | false} Child null, undefined and false are left out */
/** @typedef {Child | Child[]} Children one level of arrays is flattened */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...Children} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === "class") el.className = String(value);
    else if (key === "dataset" && typeof value === "object") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "text") el.textContent = String(value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * @template {Element} E
 * @param {E} el
 * @returns {E}
 */
export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/**
 * The nodes and texts among `children`, leaving out null, undefined and false.
 * @param {Children[]} children
 * @returns {(Node | string)[]}
 */
function present(children) {
  return children.flat().filter(/** @returns {c is Node | string | number} */ (c) => c != null && c !== false)
    .map((c) => (typeof c === "number" ? String(c) : c));
}

/**
 * @template {Element} E
 * @param {E} el
 * @param {...Children} children
 * @returns {E}
 */
export function replace(el, ...children) {
  clear(el).append(...present(children));
  return el;
}

/**
 * @template {Element} E
 * @param {E} el
 * @param {...Children} children
 * @returns {E}
 */
export function append(el, ...children) {
  el.append(...present(children));
  return el;
}

/**
 * The element of `selector` inside `root`, which the page's template guarantees: a
 * missing one is a broken page, said clearly, not a null met later.
 * @param {ParentNode} root
 * @param {string} selector
 * @returns {HTMLElement}
 */
export function mustFind(root, selector) {
  const el = root.querySelector(selector);
  if (!(el instanceof HTMLElement)) throw new Error(`The page has no ${selector}.`);
  return el;
}

/**
 * Ask for a short text (a reason, a message) in an accessible dialog; resolves with the
 * text, or null when cancelled.
 * @param {{title: string, label: string, submit: string, cancel: string, required?: boolean, maxLength?: number,
 *          value?: string}} options
 * @returns {Promise<string | null>}
 */
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

/**
 * Ask to confirm an action that cannot be taken back, in an accessible dialog (not the
 * browser's confirm(), which messengers' built-in browsers may suppress); resolves true
 * only when confirmed. The cancel button has the focus: Enter does not end anything.
 * @param {{title: string, text: string, submit: string, cancel: string}} options
 * @returns {Promise<boolean>}
 */
export function confirmAction({ title, text, submit, cancel }) {
  return new Promise((resolve) => {
    const no = h("button", { type: "button", class: "secondary", text: cancel, onclick: () => { dialog.close("cancel"); } });
    const form = h("form", { method: "dialog", class: "ask" },
      h("h2", { text: title }),
      h("p", { class: "prewrap", text }),
      h("div", { class: "actions" },
        h("button", { type: "submit", value: "ok", class: "danger", text: submit }),
        no));
    const dialog = h("dialog", { "aria-label": title }, form);
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(dialog.returnValue === "ok");
    });
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}

/**
 * Ask a facilitator for the reason of an action (required).
 * @param {import("./types.js").Translate} t
 * @param {string} titleKey
 */
export function askReason(t, titleKey) {
  return ask({ title: t(titleKey), label: t("moderation.reason"), submit: t("action.confirm"), cancel: t("action.cancel") });
}

/**
 * Like mustFind, for a part the page may leave out.
 * @param {ParentNode} root
 * @param {string} selector
 * @returns {HTMLElement | null}
 */
export function mayFind(root, selector) {
  const el = root.querySelector(selector);
  return el instanceof HTMLElement ? el : null;
}
