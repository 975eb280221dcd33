// "Your turn" (room/panels/turn.js): whose turn the banner shows, and the tab's title.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { tabTitle, yourTurn } from "../static/js/room/panels/turn.js";

const room = (fields) => ({
  you: { seat_id: 7, role: "participant" },
  session: { status: "live" },
  round: null,
  floor: { seat_id: null, ends_at: null, queue: [] },
  ...fields,
});

describe("yourTurn", () => {
  test("is the round's turn when the round is at this seat", () => {
    const round = { id: 3, status: "active", current_seat_id: 7, turn_ends_at: "2026-01-01T10:02:00Z" };
    assert.deepEqual(yourTurn(room({ round })), { kind: "round", roundId: 3, endsAt: "2026-01-01T10:02:00Z" });
  });

  test("is the floor when this seat holds it", () => {
    const floor = { seat_id: 7, ends_at: "2026-01-01T10:03:00Z", queue: [] };
    assert.deepEqual(yourTurn(room({ floor })), { kind: "floor", endsAt: "2026-01-01T10:03:00Z" });
  });

  test("is nothing for someone else's turn, while paused, or for a facilitator", () => {
    const floor = { seat_id: 8, ends_at: null, queue: [7] };
    assert.equal(yourTurn(room({ floor })), null);
    assert.equal(yourTurn(room({ floor: { seat_id: 7, ends_at: null, queue: [] }, session: { status: "paused" } })), null);
    assert.equal(yourTurn(room({ floor: { seat_id: 7, ends_at: null, queue: [] }, you: { seat_id: 7, role: "facilitator" } })), null);
    assert.equal(yourTurn(room({ you: null })), null);
  });
});

describe("tabTitle", () => {
  test("leads with the turn and the unread count, then the page's title", () => {
    assert.equal(tabTitle("Room · Roundtable", 0, null), "Room · Roundtable");
    assert.equal(tabTitle("Room · Roundtable", 3, null), "(3) Room · Roundtable");
    assert.equal(tabTitle("Room · Roundtable", 2, "Your turn ·"), "Your turn · (2) Room · Roundtable");
  });
});
