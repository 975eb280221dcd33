// @ts-check
// The transcript review page: selecting words in one of the statements (or one of their
// translations) listed under "Hide other words" fills the form with exactly those
// characters, as offsets in characters (code points, as the server counts them), so the span
// hidden is the span chosen. Typing in the words field instead drops the offsets: then the
// server hides the words' first place.

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
