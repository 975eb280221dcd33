// Following the conversation (room/attention.js): the at-end decision, asked before adding.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { atEnd, followNew } from "../static/js/room/attention.js";

describe("at the end", () => {
  test("at the very end, and within the slack", () => {
    assert.equal(atEnd({ scrollHeight: 1000, scrollTop: 600, clientHeight: 400 }), true);
    assert.equal(atEnd({ scrollHeight: 1000, scrollTop: 560, clientHeight: 400 }), true);
  });
  test("scrolled up is not at the end", () => {
    assert.equal(atEnd({ scrollHeight: 1000, scrollTop: 100, clientHeight: 400 }), false);
  });
  test("a list shorter than its box is at the end", () => {
    assert.equal(atEnd({ scrollHeight: 300, scrollTop: 0, clientHeight: 400 }), true);
  });
});

describe("following a new statement", () => {
  test("one's own always, others' only at the end", () => {
    assert.equal(followNew(false, true), true);
    assert.equal(followNew(true, false), true);
    assert.equal(followNew(false, false), false);
  });
});
