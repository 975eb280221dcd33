// The console's alerts (room/panels/alerts.js): counted by kind for the header, a sound only
// for a new one, and gone once marked done (room/state.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { alertCounts, shouldChime } from "../static/js/room/panels/alerts.js";
import { applyEvent, applyWelcome, createRoom } from "../static/js/room/state.js";

test("alerts are counted by kind, every kind present even at zero", () => {
  const counts = alertCounts([{ type: "report_made" }, { type: "report_made" }, { type: "time_up" }, { type: "statement" }]);
  assert.deepEqual(counts, { report_made: 2, break_requested: 0, private_message: 0, time_up: 1 });
});

test("only a new alert chimes, and only with the sound on", () => {
  const now = Date.parse("2026-12-02T10:00:00Z");
  assert.equal(shouldChime({ at: "2026-12-02T09:59:55Z" }, now, true), true);
  assert.equal(shouldChime({ at: "2026-12-02T09:59:55Z" }, now, false), false);
  assert.equal(shouldChime({ at: "2026-12-02T09:30:00Z" }, now, true), false, "replayed on connecting");
  assert.equal(shouldChime({}, now, true), false);
});

function consoleRoom() {
  const room = createRoom();
  applyWelcome(room, { type: "welcome", last_seq: 0, you: { seat_id: 1, role: "facilitator", display_name: "F" },
                       state: { polls: [], present: [], muted: [] } });
  return room;
}

test("a participant's check-in is an alert until marked done; a facilitator's own message is not", () => {
  const room = consoleRoom();
  const checkIn = (seq, role) => ({ type: "private_message", seq, at: "2026-12-02T10:00:00Z", message_id: seq, channel: "check_in",
                                    about_seat_id: 5, message: { id: seq, seat_id: role === "participant" ? 5 : 1, author: "x", role, text: "hi" } });
  assert.equal(applyEvent(room, checkIn(1, "facilitator")).kind, "message");
  assert.equal(applyEvent(room, checkIn(2, "participant")).kind, "alert");
  applyEvent(room, { type: "break_requested", seq: 3, at: "2026-12-02T10:00:00Z", seat_id: 5 });
  assert.deepEqual(room.alerts.map((a) => a.seq), [2, 3]);
  assert.deepEqual(applyEvent(room, { type: "alert_done", seq: 4, at: "2026-12-02T10:00:01Z", alert_seq: 2 }), { kind: "alert_done", alert_seq: 2 });
  assert.deepEqual(room.alerts.map((a) => a.seq), [3]);
  assert.equal(room.messages.length, 2, "the thread keeps its messages");
});

test("a statement shown again comes back with its words; hidden, it loses them", () => {
  const room = consoleRoom();
  const statement = { id: 9, seat_id: 5, author: "A", role: "participant", community: null, text: "Words.", reply_to: null,
                      state: "visible", reactions: {}, translations: [], translation_pending: false, waiting_for: [] };
  applyEvent(room, { type: "statement", seq: 1, at: "2026-12-02T10:00:00Z", statement_id: 9, statement: { ...statement } });
  applyEvent(room, { type: "statement_changed", seq: 2, at: "2026-12-02T10:00:01Z", statement_id: 9, state: "hidden" });
  assert.equal(room.statements.get(9).text, null);
  const change = applyEvent(room, { type: "statement_changed", seq: 3, at: "2026-12-02T10:00:02Z", statement_id: 9, state: "visible",
                                    statement: { ...statement } });
  assert.equal(change.state, "visible");
  assert.equal(room.statements.get(9).text, "Words.");
  assert.equal(room.statements.get(9).state, "visible");
});
