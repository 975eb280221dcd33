// @ts-check
// Translating a statement: an accessible dialog to choose one of the programme's languages and
// write the statement's words in it (an interpreter's, a facilitator's, or an author's own), sent
// as the `translate` command. A language that has a translation already shows it, to correct.

/** @import { Statement, TranslationView } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { h } from "../dom.js";
import { translationInto } from "../state.js";

// The server's limit (app/facilitation/translations.py: MAX_TRANSLATION_CHARS): half as much again
// as the longest statement, as a translation often runs longer than its original.
/** @param {number} maxStatementChars */
export function maxTranslationChars(maxStatementChars) {
  return Math.floor((maxStatementChars * 3) / 2);
}

/** @returns {string} a client id the server takes (8–64 of A–Z a–z 0–9 _ -) */
function newClientId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// The language offered first: the reader's own when the statement lacks it (an author translating
// for the others chooses another), else the first of the programme's that has no translation yet.
/**
 * @param {Statement} statement
 * @param {readonly string[]} languages the programme's, in order
 * @param {string} reader the reader's language
 * @param {boolean} own the reader wrote it
 */
export function firstLanguage(statement, languages, reader, own) {
  const missing = languages.filter((language) => !translationInto(statement, language));
  if (!own && missing.includes(reader)) return reader;
  return missing.find((language) => language !== reader) ?? missing[0] ?? languages[0] ?? reader;
}

/**
 * Ask for a translation of the statement and send it; resolves true once the server stored it.
 * @param {RoomView} view
 * @param {Statement} statement
 * @returns {Promise<boolean>}
 */
export function translateStatement(view, statement) {
  const t = view.t;
  const languages = view.languages;
  const own = statement.seat_id === view.room.you?.seat_id;
  return new Promise((resolve) => {
    const select = h("select", { id: "translate-language", required: true },
      languages.map((code) => h("option", { value: code, text: view.languageName(code) })));
    select.value = firstLanguage(statement, languages, view.lang, own);
    const text = h("textarea", { id: "translate-text", rows: 5, required: true,
                                 maxlength: maxTranslationChars(view.maxStatementChars) });
    const problem = h("p", { class: "field-error", role: "alert", hidden: true });
    const submit = h("button", { type: "submit", text: t("translate.send") });
    // The words already there in that language, to correct (or an empty field to write them).
    const fill = () => {
      /** @type {TranslationView | null} */
      const existing = translationInto(statement, select.value);
      text.value = existing?.text ?? "";
      text.lang = select.value;
    };
    fill();
    select.addEventListener("change", fill);  // before `changed` below: a new language, new words
    const form = h("form", { method: "dialog", class: "ask translate" },
      h("h2", { text: t("translate.title") }),
      h("p", { class: "muted small", id: "translate-original", text: t("translate.original") }),
      h("blockquote", { class: "original", lang: "", "aria-labelledby": "translate-original", text: statement.text ?? "" }),
      h("label", { for: "translate-language", text: t("translate.language") }),
      select,
      h("label", { for: "translate-text", text: t("translate.text") }),
      text,
      problem,
      h("div", { class: "actions" },
        submit,
        h("button", { type: "button", class: "secondary", text: t("action.cancel"),
                      onclick: () => { dialog.close("cancel"); } })));
    const dialog = h("dialog", { "aria-label": t("translate.title") }, form);
    let sent = false;
    // One client id per translation as written: sending it again (after a refusal, or a try_again
    // the connection repeats) is not stored twice; other words or another language are a new one.
    let clientId = newClientId();
    const changed = () => { clientId = newClientId(); problem.hidden = true; };
    text.addEventListener("input", changed);
    select.addEventListener("change", changed);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const words = text.value.trim();
      if (!words) { text.focus(); return; }
      submit.disabled = true;
      try {
        await view.connection.command("translate", { client_id: clientId, statement_id: statement.id,
                                                     language: select.value, text: words });
        sent = true;
        dialog.close("ok");
      } catch (error) {
        // Said inside the dialog: the room behind it is inert while it is open.
        problem.hidden = false;
        problem.textContent = view.errorText(error);
        text.focus();
      } finally {
        submit.disabled = false;
      }
    });
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (sent) view.flash(t("translate.sent"));
      resolve(sent);
    });
    document.body.append(dialog);
    dialog.showModal();
    text.focus();
  });
}
