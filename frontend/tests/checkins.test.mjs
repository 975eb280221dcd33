// The console's check-in threads (room/panels/checkins.js): one per participant, apart from
// the facilitators' back-channel.
import assert from "node:assert/strict";
import { test } from "node:test";

import { checkInThreads } from "../static/js/room/panels/checkins.js";

test("check-ins are grouped by the participant they are with, in the order each thread began", () => {
  const messages = [
    { channel: "backchannel", about_seat_id: null },
    { channel: "check_in", about_seat_id: 7 },
    { channel: "check_in", about_seat_id: 3 },
    { channel: "check_in", about_seat_id: 7 },
  ];
  assert.deepEqual([...checkInThreads(messages)], [[7, 2], [3, 1]]);
});

test("the back-channel alone makes no thread", () => {
  assert.equal(checkInThreads([{ channel: "backchannel", about_seat_id: null }]).size, 0);
  assert.equal(checkInThreads([]).size, 0);
});
