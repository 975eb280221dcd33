// Translations in the browser's room state: attached to their statement, replaced per language,
// gone with a hidden or withdrawn statement; who is offered "Translate"; the interpreter's composer.
import { test } from "node:test";
import assert from "node:assert/strict";

import { applyEvent, applyWelcome, composerState, createRoom, mayTranslate, translationInto } from "../static/js/room/state.js";
import { firstLanguage, maxTranslationChars } from "../static/js/room/panels/translate.js";

const LANGUAGES = ["az", "hy", "ru"];

function roomAs(role, seatId = 1, state = {}) {
  const room = createRoom();
  applyWelcome(room, {
    type: "welcome", last_seq: 0,
    state: {
      session_id: 7, languages: LANGUAGES, title: { az: "T" }, status: "live", show_communities: true, speaking_mode: "open",
      agenda: { item: null, running: false, remaining_seconds: null, ends_at: null, count: 0 },
      present: [], floor: { seat_id: null, since: null, ends_at: null, queue: [] }, round: null, polls: [],
      slow_mode_seconds: 0, locked: false, muted: [], ...state,
    },
    you: { seat_id: seatId, display_name: "Me", role, muted: false, muted_until: null, hand_raised: false },
  });
  return room;
}

const said = (seq, id, seat = 2, extra = {}) => ({
  type: "statement", seq, at: "2026-01-01T10:00:00Z", statement_id: id,
  statement: { id, seat_id: seat, author: "Nigar", role: "participant", community: "a", text: "Salam", reply_to: null,
               state: "visible", reactions: {}, translations: [], translation_pending: true, ...extra },
});

const translated = (seq, id, language, text, by = "interpreter", pending = true, translationId = 100 + seq) => ({
  type: "translation_posted", seq, at: "2026-01-01T10:00:05Z", statement_id: id, translation_id: translationId, language, by,
  translation: text == null ? null : { translation_id: translationId, language, text, by }, translation_pending: pending,
});

test("a translation joins its statement, and a newer one in the same language replaces it", () => {
  const room = roomAs("participant");
  applyEvent(room, said(1, 10));
  const change = applyEvent(room, translated(2, 10, "hy", "Բարև"));
  assert.equal(change.kind, "translation");
  assert.equal(translationInto(room.statements.get(10), "hy").text, "Բարև");
  applyEvent(room, translated(3, 10, "ru", "Привет", "author"));
  applyEvent(room, translated(4, 10, "hy", "Ողջույն", "facilitator", false, 102));
  const statement = room.statements.get(10);
  assert.deepEqual(statement.translations.map((t) => [t.language, t.text, t.by]).sort(),
    [["hy", "Ողջույն", "facilitator"], ["ru", "Привет", "author"]]);
  assert.equal(statement.translation_pending, false);
  assert.equal(translationInto(statement, "az"), null);
});

test("a hidden or withdrawn statement keeps no translation, and a late event read back brings none", () => {
  const room = roomAs("participant");
  applyEvent(room, said(1, 10));
  applyEvent(room, translated(2, 10, "hy", "Բարև"));
  applyEvent(room, { type: "statement_changed", seq: 3, at: "x", statement_id: 10, state: "withdrawn" });
  const statement = room.statements.get(10);
  assert.deepEqual(statement.translations, []);
  assert.equal(statement.translation_pending, false);
  applyEvent(room, translated(4, 10, "ru", null, "interpreter", false));  // as catch-up reads it now
  assert.deepEqual(statement.translations, []);
  assert.equal(translationInto(statement, "ru"), null);
});

test("a translation of a statement this browser never saw changes nothing", () => {
  const room = roomAs("participant");
  assert.equal(applyEvent(room, translated(5, 99, "hy", "Բարև")).statement, undefined);
  assert.equal(room.lastSeq, 5);
});

test("interpreters, facilitator accounts and co-facilitators may translate any statement; others only their own", () => {
  const interpreter = roomAs("interpreter", 5);
  const participant = roomAs("participant", 1);
  const coFacilitator = roomAs("co_facilitator", 3);
  const facilitator = roomAs("facilitator", 4);
  const observer = roomAs("observer", 6);
  for (const room of [interpreter, participant, coFacilitator, facilitator, observer]) {
    applyEvent(room, said(1, 10, 1));
    applyEvent(room, said(2, 11, 3));
  }
  const offered = (room) => [10, 11].filter((id) => mayTranslate(room, room.statements.get(id)));
  assert.deepEqual(offered(interpreter), [10, 11]);
  assert.deepEqual(offered(facilitator), [10, 11]);
  assert.deepEqual(offered(participant), [10]);
  assert.deepEqual(offered(coFacilitator), [10, 11]);
  assert.deepEqual(offered(observer), []);
  applyEvent(interpreter, { type: "statement_changed", seq: 3, at: "x", statement_id: 10, state: "hidden" });
  assert.equal(mayTranslate(interpreter, interpreter.statements.get(10)), false, "nothing to translate once hidden");
  const single = roomAs("interpreter", 5, { languages: ["en"] });
  applyEvent(single, said(1, 10, 1));
  assert.equal(mayTranslate(single, single.statements.get(10)), false, "one language: nothing to translate into");
});

test("a muted seat is not offered the action; a paused room neither", () => {
  const room = roomAs("interpreter", 5);
  applyEvent(room, said(1, 10, 1));
  room.you.muted = true;
  assert.equal(mayTranslate(room, room.statements.get(10)), false);
  room.you.muted = false;
  room.session.status = "paused";
  assert.equal(mayTranslate(room, room.statements.get(10)), false);
});

test("the interpreter's composer posts no statements", () => {
  assert.deepEqual(composerState(roomAs("interpreter")), { enabled: false, reason: "composer.interpreter" });
});

test("the language offered first: the reader's when missing, else the first one still missing", () => {
  const room = roomAs("interpreter", 5);
  applyEvent(room, said(1, 10, 1));
  const statement = room.statements.get(10);
  assert.equal(firstLanguage(statement, LANGUAGES, "hy", false), "hy");
  applyEvent(room, translated(2, 10, "hy", "Բարև"));
  assert.equal(firstLanguage(statement, LANGUAGES, "hy", false), "az");
  assert.equal(firstLanguage(statement, LANGUAGES, "ru", true), "az", "an author translates for the others");
  assert.equal(maxTranslationChars(2000), 3000);
});
