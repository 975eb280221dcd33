// @ts-check
// Translations in the browser: catalogs, {placeholders}, plurals by each language's rules, data-i18n attributes.

const LANG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/; // a language tag, never a path

/**
 * A catalog: key → message, or → plural forms by Intl.PluralRules category ("one", "other", …).
 * @typedef {Record<string, string | Partial<Record<Intl.LDMLPluralRule, string>>>} Catalog
 */
/** @typedef {(key: string, params?: Record<string, unknown>) => string} Translate a translator: key and {placeholders} → text */

/** @param {string} lang */
function pluralRules(lang) {
  try { return new Intl.PluralRules(lang); } catch { return new Intl.PluralRules("en"); }
}

// `fallbackLang` is the language of `fallback` (English): its plurals follow its own rules,
// so a Russian "one" (21) never picks the English "one" ("21 person").
/**
 * @param {Catalog | null | undefined} messages
 * @param {{lang?: string, fallback?: Catalog, fallbackLang?: string}} [options]
 * @returns {Translate}
 */
export function createTranslator(messages, { lang = "en", fallback = {}, fallbackLang = "en" } = {}) {
  const rules = pluralRules(lang);
  const fallbackRules = pluralRules(fallbackLang);
  return function t(key, params = {}) {
    /** @type {Catalog[string] | undefined} */
    let message = messages?.[key];
    let plurals = rules;
    if (message == null) {
      message = fallback?.[key];
      plurals = fallbackRules;
    }
    if (message == null) return key; // visible, and easy to spot as missing
    if (typeof message === "object") {
      const form = typeof params.count === "number" ? plurals.select(params.count) : "other";
      message = message[form] ?? message.other;
      if (message == null) return key;
    }
    return String(message).replace(/\{(\w+)\}/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole);
  };
}

// The catalog for `lang`; English when it cannot be had; {} (keys show) when neither can.
/**
 * @param {unknown} lang
 * @param {{fetchImpl?: (url: string) => Promise<{ok: boolean, status: number, json(): Promise<unknown>}>, base?: string}} [options]
 * @returns {Promise<Catalog>}
 */
export async function loadCatalog(lang, { fetchImpl = globalThis.fetch, base = "/static/i18n" } = {}) {
  /** @param {string} tag @returns {Promise<Catalog>} */
  const load = async (tag) => {
    const response = await fetchImpl(`${base}/${tag}.json`);
    if (!response.ok) throw new Error(`${tag}: ${response.status}`);
    const catalog = await response.json();
    if (catalog === null || typeof catalog !== "object" || Array.isArray(catalog)) throw new Error(`${tag}: not a catalog`);
    return /** @type {Catalog} */ (catalog);
  };
  if (typeof lang === "string" && LANG.test(lang)) {
    try { return await load(lang); } catch { /* fall back to English below */ }
    if (lang === "en") return {};
  }
  try { return await load("en"); } catch { return {}; }
}

/** @type {Record<string, string>} */
const ATTRIBUTES = { "data-i18n-aria-label": "aria-label", "data-i18n-placeholder": "placeholder", "data-i18n-title": "title" };

// Text and attributes only, never innerHTML: a translation must not be able to inject markup.
/**
 * @param {Element | Document} root
 * @param {Translate} t
 */
export function translatePage(root, t) {
  /** @param {string} selector @returns {Element[]} */
  const all = (selector) => [...("matches" in root && root.matches(selector) ? [root] : []), ...root.querySelectorAll(selector)];
  for (const element of all("[data-i18n]")) element.textContent = t(element.getAttribute("data-i18n") ?? "");
  for (const [source, target] of Object.entries(ATTRIBUTES)) {
    for (const element of all(`[${source}]`)) element.setAttribute(target, t(element.getAttribute(source) ?? ""));
  }
}
