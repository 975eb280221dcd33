// The room state in the browser: welcome, events in order, and what the composer allows.
import { test } from "node:test";
import assert from "node:assert/strict";

import { applyEvent, applyWelcome, composerState, createRoom, orderedStatements } from "../static/js/room/state.js";

function welcome(overrides = {}, you = {}) {
  return {
    type: "welcome", last_seq: 3,
    state: {
      session_id: 7, title: "T", status: "live", show_communities: true, speaking_mode: "open",
      agenda: { item: null, running: false, remaining_seconds: null, ends_at: null, count: 5 },
      present: [{ seat_id: 1, display_name: "Nigar", role: "participant", community: "a" }],
      floor: { seat_id: null, since: null, ends_at: null, queue: [] }, round: null, polls: [],
      slow_mode_seconds: 0, locked: false, muted: [], ...overrides,
    },
    you: { seat_id: 1, display_name: "Nigar", role: "participant", muted: false, muted_until: null, hand_raised: false, ...you },
  };
}

const statement = (seq, id, text, seat = 2) => ({
  type: "statement", seq, at: "2026-01-01T10:00:00Z", statement_id: id,
  statement: { id, seat_id: seat, author: "Ani", role: "participant", community: "b", text, reply_to: null, state: "visible", reactions: {} },
});

test("statements arrive in order and a hidden or withdrawn one loses its words", () => {
  const room = createRoom();
  applyWelcome(room, welcome());
  assert.equal(applyEvent(room, statement(4, 10, "Hello")).kind, "statement");
  applyEvent(room, statement(5, 11, "Again"));
  applyEvent(room, { type: "statement_changed", seq: 6, at: "x", statement_id: 10, state: "hidden" });
  const list = orderedStatements(room);
  assert.deepEqual(list.map((s) => s.id), [10, 11]);
  assert.equal(list[0].text, null);
  assert.equal(list[0].state, "hidden");
  assert.equal(room.lastSeq, 6);
  assert.equal(room.seats.get(2).display_name, "Ani");
});

test("a welcome after a reconnect keeps the statements and replaces the rest", () => {
  const room = createRoom();
  applyWelcome(room, welcome());
  applyEvent(room, statement(4, 10, "Kept"));
  applyWelcome(room, welcome({ status: "paused", slow_mode_seconds: 30 }));
  assert.equal(room.statements.size, 1);
  assert.equal(room.session.status, "paused");
  assert.equal(room.slowModeSeconds, 30);
});

test("the composer says why it is closed", () => {
  const room = createRoom();
  assert.equal(composerState(room).reason, "composer.connecting");
  applyWelcome(room, welcome());
  assert.deepEqual(composerState(room), { enabled: true, reason: null });
  applyEvent(room, { type: "seat_changed", seq: 4, at: "x", action: "muted",
                     seat: { seat_id: 1, display_name: "Nigar", role: "participant", status: "admitted", muted: true, muted_until: null } });
  assert.deepEqual(composerState(room), { enabled: false, reason: "composer.muted" });
  applyEvent(room, { type: "seat_changed", seq: 5, at: "x", action: "unmuted",
                     seat: { seat_id: 1, display_name: "Nigar", role: "participant", status: "admitted", muted: false, muted_until: null } });
  applyEvent(room, { type: "agenda_changed", seq: 6, at: "x", action: "next",
                     agenda: { item: { id: 3, kind: "break", title: "Break", prompt: "", position: 2, planned_seconds: 600 }, running: true, remaining_seconds: 600, ends_at: null, count: 5 } });
  assert.equal(composerState(room).reason, "composer.break");
  applyEvent(room, { type: "agenda_changed", seq: 7, at: "x", action: "next",
                     agenda: { item: { id: 4, kind: "round", title: "Round", prompt: "", position: 3, planned_seconds: 600 }, running: true, remaining_seconds: 600, ends_at: null, count: 5 } });
  const round = { id: 1, number: 1, prompt: "", turn_seconds: 120, status: "active", agenda_item_id: 4, current_seat_id: 2,
                  turn_started_at: null, turn_ends_at: null, turns: [] };
  applyEvent(room, { type: "round_changed", seq: 8, at: "x", action: "start", round });
  assert.equal(composerState(room).reason, "composer.round");
  applyEvent(room, { type: "round_changed", seq: 9, at: "x", action: "passed", round: { ...round, current_seat_id: 1 } });
  assert.deepEqual(composerState(room), { enabled: true, reason: "composer.your_turn" });
  applyEvent(room, { type: "round_changed", seq: 10, at: "x", action: "ended", round: { ...round, status: "ended", current_seat_id: null } });
  assert.equal(room.round, null);
  applyEvent(room, { type: "session_status", seq: 11, at: "x", status: "paused", reason: "Breathe" });
  assert.equal(composerState(room).reason, "composer.paused");
  assert.equal(room.session?.pause_reason, "Breathe"); // told to everyone, not only asked for
  applyEvent(room, { type: "session_status", seq: 12, at: "x", status: "live", reason: null });
  assert.equal(room.session?.pause_reason, null);
});

test("in a queued session only the floor holder speaks, and a timed mute ends by itself", () => {
  const room = createRoom();
  applyWelcome(room, welcome({ speaking_mode: "queued" }));
  assert.equal(composerState(room).reason, "composer.queue");
  applyEvent(room, { type: "floor_changed", seq: 4, at: "x", action: "hand_raised", seat_id: 1,
                     floor: { seat_id: null, since: null, ends_at: null, queue: [1] } });
  assert.equal(room.you.hand_raised, true);
  applyEvent(room, { type: "floor_changed", seq: 5, at: "x", action: "given", seat_id: 1,
                     floor: { seat_id: 1, since: null, ends_at: null, queue: [] } });
  assert.equal(room.you.hand_raised, false);
  assert.deepEqual(composerState(room), { enabled: true, reason: "composer.your_floor" });
  room.you.muted = true;
  room.you.muted_until = "2026-01-01T10:05:00Z";
  assert.deepEqual(composerState(room, Date.parse("2026-01-01T10:04:00Z")),
    { enabled: false, reason: "composer.muted_until", until: Date.parse("2026-01-01T10:05:00Z") }, "a timed mute says until when");
  assert.equal(composerState(room, Date.parse("2026-01-01T10:06:00Z")).enabled, true);
});

test("an observer never gets the composer, and unknown events are ignored", () => {
  const room = createRoom();
  applyWelcome(room, welcome({}, { role: "observer" }));
  assert.equal(composerState(room).reason, "composer.observer");
  assert.equal(applyEvent(room, { type: "something_new", seq: 4, at: "x" }).kind, "none");
});

test("private words and alerts are kept for the right people", () => {
  const room = createRoom();
  applyWelcome(room, welcome({}, { role: "facilitator" }));
  applyEvent(room, { type: "break_requested", seq: 4, at: "x", seat_id: 2 });
  applyEvent(room, { type: "private_message", seq: 5, at: "x", message_id: 1, channel: "backchannel", about_seat_id: null,
                     message: { id: 1, seat_id: 1, author: "F", role: "facilitator", text: "psst" } });
  applyEvent(room, { type: "moderation", seq: 6, at: "x", action: "muted", seat_id: 2, reason: "r" });
  assert.equal(room.alerts.length, 1);
  assert.equal(room.messages[0].text, "psst");
  assert.equal(room.notices.length, 0, "a notice to someone else is not mine");
});
