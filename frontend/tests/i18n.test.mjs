// Unit tests of the translation helper (frontend/static/js/i18n.js): run with `node --test frontend/tests/`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { createTranslator, loadCatalog, translatePage } from "../static/js/i18n.js";

describe("createTranslator", () => {
  test("looks up the message and fills in {name} placeholders", () => {
    const t = createTranslator({ greet: "Hello, {name}! {name}, you have {n} new." });
    assert.equal(t("greet", { name: "Ani", n: 0 }), "Hello, Ani! Ani, you have 0 new.");
  });

  test("leaves a placeholder without a parameter as it is, and params never inject markup or patterns", () => {
    const t = createTranslator({ greet: "Hello, {name} ({other})" });
    assert.equal(t("greet", { name: "$& <b>x</b> {other}" }), "Hello, $& <b>x</b> {other} ({other})");
    assert.equal(t("greet"), "Hello, {name} ({other})");
  });

  test("falls back to the fallback catalog, then to the key itself", () => {
    const t = createTranslator({ a: "A (hy)" }, { lang: "hy", fallback: { a: "A (en)", b: "B (en) {x}" } });
    assert.equal(t("a"), "A (hy)");
    assert.equal(t("b", { x: 1 }), "B (en) 1");
    assert.equal(t("missing.key"), "missing.key");
  });

  test("works without catalogs at all", () => {
    assert.equal(createTranslator(undefined)("x.y"), "x.y");
    assert.equal(createTranslator(null, { fallback: null })("x.y"), "x.y");
  });

  test("English plurals: one and other", () => {
    const t = createTranslator({ people: { one: "{count} person", other: "{count} people" } });
    assert.deepEqual([0, 1, 2, 21].map((count) => t("people", { count })),
      ["0 people", "1 person", "2 people", "21 people"]);
  });

  test("Russian plurals: one, few, many, other", () => {
    const t = createTranslator({
      people: { one: "{count} человек", few: "{count} человека", many: "{count} человек", other: "{count} человека" },
      minutes: { one: "{count} минута", few: "{count} минуты", many: "{count} минут", other: "{count} минуты" },
    }, { lang: "ru" });
    assert.deepEqual([1, 2, 5, 11, 21, 22, 25, 1.5].map((count) => t("minutes", { count })),
      ["1 минута", "2 минуты", "5 минут", "11 минут", "21 минута", "22 минуты", "25 минут", "1.5 минуты"]);
  });

  test("Armenian plurals: 0 and 1 are one", () => {
    const t = createTranslator({ min: { one: "{count} րոպե (one)", other: "{count} րոպե" } }, { lang: "hy" });
    assert.deepEqual([0, 1, 2, 10].map((count) => t("min", { count })),
      ["0 րոպե (one)", "1 րոպե (one)", "2 րոպե", "10 րոպե"]);
  });

  test("a missing plural form falls back to other; no count means other", () => {
    const t = createTranslator({ items: { other: "{count} items" }, only: { one: "just one" } }, { lang: "ru" });
    assert.equal(t("items", { count: 3 }), "3 items");
    assert.equal(t("items"), "{count} items");
    assert.equal(t("only", { count: 5 }), "only", "no form at all: the key shows");
  });

  test("a plural taken from the fallback follows the fallback's rules", () => {
    const t = createTranslator({}, { lang: "ru", fallback: { people: { one: "{count} person", other: "{count} people" } } });
    assert.equal(t("people", { count: 21 }), "21 people"); // Russian would call 21 "one"
    assert.equal(t("people", { count: 1 }), "1 person");
  });

  test("an unknown language tag falls back to English rules", () => {
    const t = createTranslator({ n: { one: "one", other: "other" } }, { lang: "not a tag!" });
    assert.equal(t("n", { count: 1 }), "one");
  });
});

describe("loadCatalog", () => {
  const server = (files) => {
    const asked = [];
    const fetchImpl = async (url) => {
      asked.push(url);
      if (!(url in files)) return { ok: false, status: 404, json: async () => ({}) };
      if (files[url] instanceof Error) throw files[url];
      return { ok: true, status: 200, json: async () => files[url] };
    };
    return { fetchImpl, asked };
  };

  test("fetches base/lang.json", async () => {
    const { fetchImpl, asked } = server({ "/static/i18n/ru.json": { a: "б" } });
    assert.deepEqual(await loadCatalog("ru", { fetchImpl }), { a: "б" });
    assert.deepEqual(asked, ["/static/i18n/ru.json"]);
  });

  test("honours base", async () => {
    const { fetchImpl } = server({ "/x/hy.json": { a: "ա" } });
    assert.deepEqual(await loadCatalog("hy", { fetchImpl, base: "/x" }), { a: "ա" });
  });

  test("English when the language cannot be had (404, network error, not a catalog)", async () => {
    const en = { a: "A" };
    for (const az of [undefined, new TypeError("network"), ["not", "an", "object"]]) {
      const files = { "/static/i18n/en.json": en };
      if (az !== undefined) files["/static/i18n/az.json"] = az;
      const { fetchImpl } = server(files);
      assert.deepEqual(await loadCatalog("az", { fetchImpl }), en);
    }
  });

  test("an empty catalog when neither can be had", async () => {
    const { fetchImpl, asked } = server({});
    assert.deepEqual(await loadCatalog("ru", { fetchImpl }), {});
    assert.deepEqual(asked, ["/static/i18n/ru.json", "/static/i18n/en.json"]);
    const again = server({});
    assert.deepEqual(await loadCatalog("en", { fetchImpl: again.fetchImpl }), {});
    assert.deepEqual(again.asked, ["/static/i18n/en.json"]);
  });

  test("a language that is not a language tag is never put into a path", async () => {
    const { fetchImpl, asked } = server({ "/static/i18n/en.json": { a: "A" } });
    assert.deepEqual(await loadCatalog("../../secret", { fetchImpl }), { a: "A" });
    assert.deepEqual(asked, ["/static/i18n/en.json"]);
  });
});

// Just enough of a DOM: attributes, textContent, querySelectorAll for "[attr]", and an
// innerHTML that fails the test if anyone touches it.
class FakeElement {
  children = [];
  textContent = "";
  #attributes = new Map();
  constructor(attributes = {}, children = []) {
    for (const [name, value] of Object.entries(attributes)) this.#attributes.set(name, value);
    this.children = children;
  }
  getAttribute(name) { return this.#attributes.has(name) ? this.#attributes.get(name) : null; }
  setAttribute(name, value) { this.#attributes.set(name, String(value)); }
  hasAttribute(name) { return this.#attributes.has(name); }
  get innerHTML() { throw new Error("innerHTML read"); }
  set innerHTML(_) { throw new Error("innerHTML written"); }
  matches(selector) { return this.hasAttribute(/^\[([\w-]+)\]$/.exec(selector)[1]); }
  querySelectorAll(selector) {
    const found = [];
    const walk = (el) => { for (const child of el.children) { if (child.matches(selector)) found.push(child); walk(child); } };
    walk(this);
    return found;
  }
}

describe("translatePage", () => {
  test("sets textContent and the aria-label, placeholder and title attributes, never innerHTML", () => {
    const heading = new FakeElement({ "data-i18n": "room.title" });
    const markup = new FakeElement({ "data-i18n": "evil" });
    const input = new FakeElement({ "data-i18n-placeholder": "composer.placeholder", "data-i18n-aria-label": "composer.label" });
    const button = new FakeElement({ "data-i18n": "composer.send", "data-i18n-title": "composer.send_title" });
    const untouched = new FakeElement({ class: "x" });
    untouched.textContent = "keep";
    const root = new FakeElement({}, [heading, new FakeElement({}, [input, button, markup]), untouched]);
    const t = createTranslator({
      "room.title": "Սենյակ", "composer.placeholder": "Напишите…", "composer.label": "Your statement",
      "composer.send": "Send", "composer.send_title": "Send (Ctrl+Enter)", evil: "<img src=x onerror=alert(1)>",
    });
    translatePage(root, t);
    assert.equal(heading.textContent, "Սենյակ");
    assert.equal(input.getAttribute("placeholder"), "Напишите…");
    assert.equal(input.getAttribute("aria-label"), "Your statement");
    assert.equal(input.textContent, "");
    assert.equal(button.textContent, "Send");
    assert.equal(button.getAttribute("title"), "Send (Ctrl+Enter)");
    assert.equal(markup.textContent, "<img src=x onerror=alert(1)>", "markup stays text");
    assert.equal(untouched.textContent, "keep");
  });

  test("includes the root itself when it carries data-i18n; a missing key shows the key", () => {
    const root = new FakeElement({ "data-i18n": "nope" });
    translatePage(root, createTranslator({}));
    assert.equal(root.textContent, "nope");
  });
});
