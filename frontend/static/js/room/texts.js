// @ts-check
// Facilitators' words in the reader's language. A session's title, an agenda item's title and
// prompt, a round's prompt, a poll's question and options and the pause message come as maps
// {language: text} over the programme's languages (the welcome frame's `languages`, in order).
// pickText() chooses as the server does (app/programmes/texts.py: pick): the reader's language,
// else the first of the programme's languages that has a text, else any; a fallback is marked
// so the page can say "Not translated yet". Pseudonyms and the default facilitator label are
// stored in English ("Participant 13") and shown in the reader's language (nameLabel(), the
// same words as app/dialogues/pseudonyms.py). Pure logic but for shownText(), so it runs (and
// is tested) under Node too.

/** @import { Attrs } from "./dom.js" */

import { h } from "./dom.js";

/** @typedef {Record<string, string>} Texts one text per language */

/**
 * A text as one reader gets it: `language` is the text's own, and `fallback` says it is not
 * the reader's.
 * @typedef {object} Shown
 * @property {string} text
 * @property {string} language
 * @property {boolean} fallback
 */

/**
 * Any sent or stored form as a map: a plain string (an older server, the API's shorthand) is
 * the programme's first language; empty texts are left out.
 * @param {unknown} value
 * @param {string} firstLanguage
 * @returns {Texts}
 */
export function textsOf(value, firstLanguage) {
  if (typeof value === "string") return value.trim() ? { [firstLanguage]: value } : {};
  if (value == null || typeof value !== "object" || Array.isArray(value)) return {};
  /** @type {Texts} */
  const texts = {};
  for (const [language, text] of Object.entries(value)) {
    if (typeof text === "string" && text.trim()) texts[language] = text;
  }
  return texts;
}

/**
 * The reader's language, else the first of `languages` that has a text, else any.
 * @param {Texts | string | null | undefined} texts
 * @param {string} language the reader's
 * @param {readonly string[]} [languages] the programme's, in order
 * @returns {Shown}
 */
export function pickText(texts, language, languages = []) {
  const map = textsOf(texts, languages[0] ?? language);
  const own = map[language];
  if (own) return { text: own, language, fallback: false };
  for (const other of [...languages, ...Object.keys(map)]) {
    const text = map[other];
    if (text) return { text, language: other, fallback: true };
  }
  return { text: "", language, fallback: false };
}

/**
 * An element holding a text as picked: its `lang` is the text's language (so it is read out
 * and hyphenated in it), and a fallback carries a small note in the reader's language.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} attrs
 * @param {Shown} shown
 * @param {{lang: string, note: string}} reader the page's language and its "Not translated yet"
 * @returns {HTMLElementTagNameMap[K]}
 */
export function shownText(tag, attrs, shown, reader) {
  return h(tag, { ...attrs, lang: shown.text && shown.language !== reader.lang ? shown.language : null },
    shown.text,
    shown.fallback ? [" ", h("span", { class: "muted small not-translated", lang: reader.lang, text: `(${reader.note})` })] : null);
}

// Pseudonyms -------------------------------------------------------------------------------

/**
 * The role words of stored pseudonyms in every interface language (app/dialogues/pseudonyms.py:
 * WORDS, which a test keeps equal to this). A programme's extra language reads them in English.
 * @type {Readonly<Record<string, Readonly<Record<string, string>>>>}
 */
export const PSEUDONYM_WORDS = {
  Participant: { en: "Participant", ru: "Участник", az: "İştirakçı", hy: "Մասնակից" },
  Facilitator: { en: "Facilitator", ru: "Фасилитатор", az: "Fasilitator", hy: "Ֆասիլիտատոր" },
  Observer: { en: "Observer", ru: "Наблюдатель", az: "Müşahidəçi", hy: "Դիտորդ" },
  Interpreter: { en: "Interpreter", ru: "Переводчик", az: "Tərcüməçi", hy: "Թարգմանիչ" },
  // A breakout group, the author of its report in the main room ("Group 3").
  Group: { en: "Group", ru: "Группа", az: "Qrup", hy: "Խումբ" },
};

// "Participant 13" (a pseudonym), "Facilitator" (the label of a facilitator whose first name
// cannot be shown), "Facilitator (2)" (the same, made unique in a session).
const STORED = new RegExp(`^(${Object.keys(PSEUDONYM_WORDS).join("|")})( \\d+| \\(\\d+\\))?$`);

/**
 * A name as the room shows it to a reader of `language`: a stored pseudonym or the default
 * facilitator label in that language; any name a person chose unchanged (display names cannot
 * take these words: app/security/names.py).
 * @param {string | null | undefined} name
 * @param {string} language
 * @returns {string}
 */
export function nameLabel(name, language) {
  if (!name) return name ?? "";
  const match = STORED.exec(name);
  if (!match) return name;
  const [, word, rest = ""] = match;
  return `${PSEUDONYM_WORDS[word]?.[language] ?? word}${rest}`;
}
