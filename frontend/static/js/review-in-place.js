// @ts-check
// Decisions on the transcript review page made in place: each form is sent as the same post a
// browser without script sends, with `Accept: application/json` (app/web/transcript_pages.py);
// the answer says the new state, carries the parts of the page to put in place and a sentence
// to announce, and errors come as `{"error": {"code", "message"}}` in the page's language.
// Without script (or without fetch) the forms post and the page reloads, as they always did.

/** @typedef {import("./i18n.js").Translate} Translate */
/** @typedef {{key: string, state: string}} Mark a suggestion on the page: "statement:part:start:end" and its state */
/** @typedef {{ok: boolean, status: number, body: any}} Answer what the server said, parsed */

const UNDECIDED = new Set(["pending", "possible"]);

/**
 * The mark to move on to after deciding `key`: the next undecided one after it, in the page's
 * order, else the first undecided one before it; null when every mark has a decision.
 * @param {Mark[]} marks
 * @param {string | null} key
 * @returns {string | null}
 */
export function nextUndecided(marks, key) {
  const at = key === null ? -1 : marks.findIndex((mark) => mark.key === key);
  const after = marks.slice(at + 1).find((mark) => UNDECIDED.has(mark.state) && mark.key !== key);
  if (after) return after.key;
  const before = marks.slice(0, Math.max(at, 0)).find((mark) => UNDECIDED.has(mark.state));
  return before ? before.key : null;
}

/**
 * Words for a failed answer: the server's own message (in the page's language), else a
 * sentence of the page's catalog; never a bare status code.
 * @param {Answer | null} answer null when the server could not be reached
 * @param {Translate} t
 */
export function failure(answer, t) {
  if (answer === null) return t("review.offline");
  const message = answer.body?.error?.message;
  if (typeof message === "string" && message.trim()) return message;
  return t("review.failed");
}

/**
 * A form's fields as the browser would post them (application/x-www-form-urlencoded).
 * @param {HTMLFormElement} form
 */
export function fieldsOf(form) {
  const fields = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (typeof value === "string") fields.append(name, value);
  }
  return fields;
}

/**
 * Post a form as the page's script does; null when no answer came (offline, a redirect, …).
 * @param {HTMLFormElement} form
 * @param {{fetchImpl?: typeof fetch, token?: string}} [options]
 * @returns {Promise<Answer | null>}
 */
export async function send(form, { fetchImpl = globalThis.fetch, token = "" } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json" };
  if (token) headers["X-CSRF-Token"] = token;
  let response;
  try {
    response = await fetchImpl(form.action, {
      method: "POST",
      body: fieldsOf(form),
      headers,
      credentials: "same-origin",
      redirect: "manual", // an answer for people (a login page) is no answer for the script
    });
  } catch {
    return null;
  }
  if (response.type === "opaqueredirect" || response.status === 0) return null;
  let body = null;
  if ((response.headers.get("content-type") ?? "").startsWith("application/json")) {
    try { body = await response.json(); } catch { body = null; }
  }
  if (response.ok && body === null) return null;
  return { ok: response.ok, status: response.status, body };
}

/**
 * Put server-rendered markup (autoescaped by the page's templates) in place of an element's
 * children. DOMParser runs no script, and the page's policy would refuse inline script anyway.
 * @param {Element} element
 * @param {string} html
 */
export function replaceWith(element, html) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  element.replaceChildren(...[...parsed.body.childNodes].map((node) => document.importNode(node, true)));
}
