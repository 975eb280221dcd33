// @ts-check
// The transcript review page: selecting words in one of the statements (or one of their
// translations) listed under "Hide other words" fills the form with exactly those
// characters, as offsets in characters (code points, as the server counts them), so the span
// hidden is the span chosen. Typing in the words field instead drops the offsets: then the
// server hides the words' first place. Decisions are sent in place (review-in-place.js), below.

import { createTranslator, loadCatalog } from "./i18n.js";
import { failure, nextUndecided, replaceWith, send } from "./review-in-place.js";

const form = /** @type {HTMLFormElement | null} */ (document.querySelector("form[data-hide-form]"));

/**
 * How many characters (code points) a piece of text has; a JavaScript string's length counts
 * UTF-16 units, which is more for emoji and other characters outside the first plane.
 * @param {string} text
 */
export function codePoints(text) {
  return [...text].length;
}

/**
 * The selection's span inside `element` in code points, or null when the selection is empty
 * or not wholly inside it.
 * @param {Selection} selection
 * @param {Element} element
 * @returns {{start: number, end: number, text: string} | null}
 */
export function spanIn(selection, element) {
  if (selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!element.contains(range.startContainer) || !element.contains(range.endContainer)) return null;
  const before = document.createRange();
  before.selectNodeContents(element);
  before.setEnd(range.startContainer, range.startOffset);
  const start = codePoints(before.toString());
  const text = range.toString();
  if (!text.trim()) return null;
  return { start, end: start + codePoints(text), text };
}

if (form) {
  const start = /** @type {HTMLInputElement} */ (form.elements.namedItem("start"));
  const end = /** @type {HTMLInputElement} */ (form.elements.namedItem("end"));
  const words = /** @type {HTMLInputElement} */ (form.elements.namedItem("words"));
  const statement = /** @type {HTMLSelectElement} */ (form.elements.namedItem("statement_id"));
  const reason = /** @type {HTMLInputElement} */ (form.elements.namedItem("reason"));

  const take = () => {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0) return;
    const node = selection.getRangeAt(0).commonAncestorContainer;
    const holder = (node instanceof Element ? node : node.parentElement)?.closest("[data-statement-id]");
    if (!holder) return;
    const span = spanIn(selection, holder);
    if (!span) return;
    // A translation is offered in the list as "<statement id>:<translation id>".
    const part = holder.getAttribute("data-part");
    const id = holder.getAttribute("data-statement-id") ?? "";
    statement.value = part ? `${id}:${part}` : id;
    start.value = String(span.start);
    end.value = String(span.end);
    words.value = span.text;
    reason.focus({ preventScroll: true });
  };
  for (const type of ["mouseup", "keyup", "touchend"]) {
    document.querySelector(".review-originals")?.addEventListener(type, () => setTimeout(take, 0));
  }
  // Typed words (or another statement chosen) no longer match the selection's offsets.
  const forget = () => { start.value = ""; end.value = ""; };
  words.addEventListener("input", forget);
  statement.addEventListener("change", forget);
}

// Decisions in place ---------------------------------------------------------------------
// The forms marked data-in-place (accept, reject, hide, not a name, remove), the hide form and
// the release dialog are sent with fetch; the page's parts are put in place from the answer,
// focus moves to the next suggestion still undecided and the result is announced.

const lang = document.documentElement.lang || "en";
const texts = Promise.all([loadCatalog(lang), lang === "en" ? Promise.resolve({}) : loadCatalog("en")]).then(
  ([messages, english]) => createTranslator(messages, { lang, fallback: english }),
);
const token = document.querySelector("meta[name=csrf-token]")?.getAttribute("content") ?? "";
const announcer = document.querySelector("[data-review-announce]");
const pageError = /** @type {HTMLElement | null} */ (document.querySelector("[data-review-error]"));
const suggestions = document.querySelector("[data-review-suggestions]");
const preview = document.querySelector("[data-review-preview]");
const dialog = /** @type {HTMLDialogElement | null} */ (document.querySelector("dialog[data-release-dialog]"));
const dialogError = /** @type {HTMLElement | null} */ (document.querySelector("[data-release-error]"));

/** @param {string} message */
function announce(message) {
  if (!announcer) return;
  // Emptied first, so that the same words said twice are announced twice.
  announcer.textContent = "";
  setTimeout(() => { announcer.textContent = message; }, 50);
}

/**
 * @param {HTMLElement | null} where
 * @param {string | null} message null hides it
 * @param {boolean} [login] add a link to log in again
 */
function showError(where, message, login = false) {
  if (!where) return;
  where.hidden = message === null;
  where.textContent = message ?? "";
  if (message !== null && login) {
    const link = document.createElement("a");
    link.href = `/login?next=${encodeURIComponent(location.pathname)}`;
    texts.then((t) => { link.textContent = t("review.log_in_again"); });
    where.append(" ", link);
  }
}

/** @param {Record<string, number>} counts */
function updateCounts(counts) {
  for (const element of document.querySelectorAll("[data-release-count]")) {
    const value = counts[element.getAttribute("data-release-count") ?? ""];
    if (typeof value === "number") element.textContent = String(value);
  }
}

/** @param {string | null} key the mark just decided */
function focusNext(key) {
  const items = [...document.querySelectorAll("[data-review-suggestions] [data-mark]")];
  const marks = items.map((item) => ({ key: item.getAttribute("data-mark") ?? "", state: item.getAttribute("data-state") ?? "" }));
  const next = nextUndecided(marks, key);
  const item = items.find((element) => element.getAttribute("data-mark") === next);
  const target = /** @type {HTMLElement | null} */ (item?.querySelector("button")
    ?? document.querySelector("[data-review-counts]"));
  if (!target) return;
  if (!target.matches("button")) target.tabIndex = -1;
  target.focus();
  target.scrollIntoView({ block: "nearest" });
}

/** @param {any} body the answer to a decision */
function applyDecision(body) {
  if (suggestions && typeof body.suggestions_html === "string") replaceWith(suggestions, body.suggestions_html);
  if (preview && typeof body.preview_html === "string") replaceWith(preview, body.preview_html);
  if (body.release) updateCounts(body.release);
}

/**
 * Send one form in place; true when it worked.
 * @param {HTMLFormElement} form
 * @param {HTMLElement | null} errorAt where a failure is shown
 * @returns {Promise<any | null>} the answer's body, or null when it failed (the failure shown)
 */
async function sendInPlace(form, errorAt) {
  const buttons = [...form.querySelectorAll("button")];
  const row = form.closest("[data-mark]") ?? form;
  row.setAttribute("aria-busy", "true");
  for (const button of buttons) button.disabled = true;
  const answer = await send(form, { token });
  row.removeAttribute("aria-busy");
  for (const button of buttons) button.disabled = false;
  if (answer?.ok) {
    showError(errorAt, null);
    return answer.body;
  }
  const t = await texts;
  showError(errorAt, failure(answer, t), answer?.status === 401);
  errorAt?.scrollIntoView({ block: "nearest" });
  return null;
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.matches("[data-release-open]")) {
    if (!dialog || typeof dialog.showModal !== "function") return; // the confirmation page instead
    event.preventDefault();
    showError(dialogError, null);
    dialog.showModal();
    return;
  }
  const inPlace = form.matches("[data-in-place]");
  const hiding = form.matches("[data-hide-form]");
  const releasing = form.matches("[data-release-confirm]");
  if (!inPlace && !hiding && !releasing) return;
  event.preventDefault();
  if (form.getAttribute("aria-busy") === "true") return;
  form.setAttribute("aria-busy", "true");
  try {
    if (releasing) await release(form);
    else await decide(form, hiding);
  } finally {
    form.removeAttribute("aria-busy");
  }
});

/**
 * @param {HTMLFormElement} form
 * @param {boolean} hiding the "hide other words" form
 */
async function decide(form, hiding) {
  const body = await sendInPlace(form, pageError);
  if (!body) return;
  applyDecision(body);
  announce(String(body.message ?? ""));
  if (hiding) {
    form.reset(); // the words hidden, the reason given: ready for the next
    return;
  }
  focusNext(typeof body.key === "string" ? body.key : null);
}

/** @param {HTMLFormElement} form the dialog's confirmation */
async function release(form) {
  const body = await sendInPlace(form, dialogError);
  if (!body) return;
  dialog?.close();
  const slot = /** @type {HTMLElement | null} */ (document.querySelector("[data-release-summary-slot]"));
  const versions = document.querySelector("[data-release-versions]");
  if (slot) {
    if (typeof body.summary_html === "string") replaceWith(slot, body.summary_html);
    else {
      const said = document.createElement("p");
      said.className = "alert alert-ok";
      said.textContent = String(body.message ?? "");
      slot.replaceChildren(said);
    }
    slot.focus();
  }
  if (versions && typeof body.versions_html === "string") replaceWith(versions, body.versions_html);
  announce(String(body.message ?? ""));
}

document.querySelector("[data-release-cancel]")?.addEventListener("click", () => dialog?.close());
dialog?.addEventListener("close", () => {
  const opener = /** @type {HTMLElement | null} */ (document.querySelector("[data-release-open] button"));
  if (!dialog.querySelector("[aria-busy=true]") && document.activeElement === document.body) opener?.focus();
});
