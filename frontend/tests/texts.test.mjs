// Facilitators' words in the reader's language (room/texts.js): the same choice as the server's
// (app/programmes/texts.py: pick), pseudonyms in the reader's language (the same words as
// app/dialogues/pseudonyms.py), the console's poll fields zipped into texts, and the room state
// keeping the agenda's titles for events that name an item by id.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { writtenQuestion, zipOptions } from "../static/js/room/console.js";
import { applyEvent, applyWelcome, createRoom } from "../static/js/room/state.js";
import { PSEUDONYM_WORDS, nameLabel, pickText, shownText, textsOf } from "../static/js/room/texts.js";

const LANGUAGES = ["en", "ru", "az", "hy"];

describe("pickText", () => {
  const question = { ru: "Встретимся ещё раз?", az: "Yenidən görüşək?" };

  test("gives the reader's own language when it is written", () => {
    assert.deepEqual(pickText(question, "az", LANGUAGES), { text: "Yenidən görüşək?", language: "az", fallback: false });
  });

  test("else the first of the programme's languages that has a text, marked as a fallback", () => {
    assert.deepEqual(pickText(question, "hy", LANGUAGES), { text: "Встретимся ещё раз?", language: "ru", fallback: true });
    assert.deepEqual(pickText(question, "hy", ["hy", "az", "ru", "en"]), { text: "Yenidən görüşək?", language: "az", fallback: true });
  });

  test("else any language it has, even one the programme no longer lists", () => {
    assert.deepEqual(pickText({ ka: "შევხვდეთ?" }, "hy", LANGUAGES), { text: "შევხვდეთ?", language: "ka", fallback: true });
  });

  test("takes a plain string as the programme's first language", () => {
    assert.deepEqual(pickText("Shall we meet again?", "en", LANGUAGES), { text: "Shall we meet again?", language: "en", fallback: false });
    assert.deepEqual(pickText("Shall we meet again?", "ru", LANGUAGES), { text: "Shall we meet again?", language: "en", fallback: true });
    assert.deepEqual(pickText("Բարև", "ru", []), { text: "Բարև", language: "ru", fallback: false }, "no languages known: the reader's");
  });

  test("has nothing to show for no text, an empty map or blank texts, and no fallback to mark", () => {
    for (const texts of [null, undefined, "", "   ", {}, { en: "  ", ru: "" }]) {
      assert.deepEqual(pickText(texts, "hy", LANGUAGES), { text: "", language: "hy", fallback: false }, JSON.stringify(texts));
    }
  });

  test("skips a blank text in the reader's language as the server does", () => {
    assert.deepEqual(pickText({ hy: " ", en: "Yes" }, "hy", LANGUAGES), { text: "Yes", language: "en", fallback: true });
  });

  test("textsOf leaves out what is not a text", () => {
    assert.deepEqual(textsOf({ en: "Yes", ru: 3, az: null, hy: " " }, "en"), { en: "Yes" });
    assert.deepEqual(textsOf(["Yes"], "en"), {});
  });
});

describe("shownText", () => {
  // Just enough of a document for dom.js's h().
  class FakeNode {}
  class FakeElement extends FakeNode {
    constructor(tag) { super(); this.tag = tag; this.attributes = {}; this.children = []; this.dataset = {}; this.textContent = ""; }
    setAttribute(name, value) { this.attributes[name] = value; }
    append(...nodes) { this.children.push(...nodes); }
    get text() { return this.textContent + this.children.map((c) => (c instanceof FakeElement ? c.text : c.data)).join(""); }
  }
  function withDocument(fn) {
    const saved = { document: globalThis.document, Node: globalThis.Node };
    globalThis.Node = FakeNode;
    globalThis.document = { createElement: (tag) => new FakeElement(tag), createTextNode: (data) => Object.assign(new FakeNode(), { data }) };
    try { return fn(); } finally { Object.assign(globalThis, saved); }
  }
  const reader = { lang: "hy", note: "Դեռ թարգմանված չէ" };

  test("marks a fallback with a note in the reader's language, and the text with its own", () => withDocument(() => {
    const el = shownText("h2", { class: "title" }, pickText({ en: "Check-in" }, "hy", LANGUAGES), reader);
    assert.equal(el.attributes.lang, "en");
    const note = el.children.find((c) => c instanceof FakeElement);
    assert.equal(note.attributes.lang, "hy");
    assert.equal(note.textContent, "(Դեռ թարգմանված չէ)");
    assert.match(el.text, /^Check-in \(/);
  }));

  test("shows the reader's own language plainly", () => withDocument(() => {
    const el = shownText("p", {}, pickText({ hy: "Ծանոթություն" }, "hy", LANGUAGES), reader);
    assert.equal(el.attributes.lang, undefined);
    assert.equal(el.text, "Ծանոթություն");
  }));
});

describe("nameLabel", () => {
  test("shows stored pseudonyms and facilitator labels in the reader's language", () => {
    assert.equal(nameLabel("Participant 13", "hy"), "Մասնակից 13");
    assert.equal(nameLabel("Participant 13", "ru"), "Участник 13");
    assert.equal(nameLabel("Participant 13", "az"), "İştirakçı 13");
    assert.equal(nameLabel("Participant 13", "en"), "Participant 13");
    assert.equal(nameLabel("Facilitator", "ru"), "Фасилитатор");
    assert.equal(nameLabel("Facilitator (2)", "az"), "Fasilitator (2)");
    assert.equal(nameLabel("Interpreter 3", "hy"), "Թարգմանիչ 3");
  });

  test("leaves the names people chose, and other languages, as they are", () => {
    for (const name of ["Nigar", "Ani", "Participant Nigar", "participant 13", "Facilitator Anna", ""]) {
      assert.equal(nameLabel(name, "ru"), name);
    }
    assert.equal(nameLabel("Observer 4", "ka"), "Observer 4");
    assert.equal(nameLabel(null, "ru"), "");
  });

  test("has the same words as the server's pseudonyms (app/dialogues/pseudonyms.py)", () => {
    const source = readFileSync(new URL("../../app/dialogues/pseudonyms.py", import.meta.url), "utf-8");
    const block = source.slice(source.indexOf("WORDS"), source.indexOf("}\n", source.indexOf("WORDS")) + 1);
    const server = Object.fromEntries([...block.matchAll(/^\s+"(\w+)": (\{[^}]+\}),?$/gm)].map(([, word, forms]) => [word, JSON.parse(forms)]));
    assert.ok(Object.keys(server).length >= 4, block);
    assert.deepEqual(PSEUDONYM_WORDS, server);
  });
});

describe("the console's new poll", () => {
  test("zips the options by line: line N of every language is option N", () => {
    assert.deepEqual(zipOptions({ en: "Yes\nNot yet\n", ru: "Да\nПока нет", hy: "Այո" }), [
      { en: "Yes", ru: "Да", hy: "Այո" },
      { en: "Not yet", ru: "Пока нет" },
    ]);
  });

  test("leaves out lines blank in every language, and keeps an option written in one language only", () => {
    assert.deepEqual(zipOptions({ en: "Yes\n\nNo", ru: "Да\n\n" }), [{ en: "Yes", ru: "Да" }, { en: "No" }]);
    assert.deepEqual(zipOptions({ en: "\nSomewhat", ru: "Возможно\n" }), [{ ru: "Возможно" }, { en: "Somewhat" }]);
  });

  test("sends plain strings while the programme's languages are not known", () => {
    assert.deepEqual(zipOptions({ "": " Yes \nNo" }), ["Yes", "No"]);
    assert.equal(writtenQuestion({ "": "  Again? " }), "Again?");
  });

  test("sends the question in the languages written, or none for the poll item's prompt", () => {
    assert.deepEqual(writtenQuestion({ en: " Again? ", ru: "", az: "Yenə?", hy: "  " }), { en: "Again?", az: "Yenə?" });
    assert.equal(writtenQuestion({ en: "", ru: " " }), null);
  });
});

describe("the room state", () => {
  const welcome = {
    type: "welcome", last_seq: 3,
    state: {
      session_id: 7, languages: LANGUAGES, title: { en: "First meeting", hy: "Առաջին հանդիպում" },
      lobby_message: {}, pause_message: { ru: "Перерыв." }, status: "paused", show_communities: true, speaking_mode: "open",
      agenda: { item: null, running: false, remaining_seconds: null, ends_at: null, count: 2 },
      agenda_items: [{ id: 11, position: 0, kind: "check_in", title: { en: "Check-in" } }, { id: 12, position: 1, kind: "round", title: { en: "Hopes" } }],
      present: [], floor: { seat_id: null, since: null, ends_at: null, queue: [] }, round: null, polls: [],
      slow_mode_seconds: 0, locked: false, muted: [],
    },
    you: { seat_id: 1, display_name: "Facilitator", role: "facilitator", muted: false, muted_until: null, hand_raised: false },
  };

  test("keeps the languages, the session's texts and every agenda item's title", () => {
    const room = createRoom();
    applyWelcome(room, welcome);
    assert.deepEqual(room.session.languages, LANGUAGES);
    assert.deepEqual(room.session.pause_message, { ru: "Перерыв." });
    assert.equal(pickText(room.session.title, "hy", room.session.languages).text, "Առաջին հանդիպում");
    assert.deepEqual(room.agendaItems.get(12).title, { en: "Hopes" });
  });

  test("a time-up names the item by id; its title comes from the agenda the room has, in the reader's language", () => {
    const room = createRoom();
    applyWelcome(room, welcome);
    const item = { id: 13, position: 2, kind: "poll", title: { en: "A poll", ru: "Опрос" }, prompt: {}, planned_seconds: 300 };
    applyEvent(room, { type: "agenda_changed", seq: 4, at: "x", action: "go", agenda: { item, running: true, remaining_seconds: 300, ends_at: "y", count: 3 } });
    const change = applyEvent(room, { type: "time_up", seq: 5, at: "x", item_id: 13 });
    assert.equal(change.kind, "alert");
    assert.equal(pickText(room.agendaItems.get(change.alert.item_id)?.title, "ru", LANGUAGES).text, "Опрос");
  });
});
