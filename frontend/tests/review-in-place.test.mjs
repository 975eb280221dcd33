// The transcript review page's decisions in place (frontend/static/js/review-in-place.js):
// where focus goes next, which words a failure shows, and how a form is sent.
import { test } from "node:test";
import assert from "node:assert/strict";

import { failure, nextUndecided, send } from "../static/js/review-in-place.js";

const t = (key) => `[${key}]`;
const marks = (...states) => states.map((state, i) => ({ key: `1:0:${i}:${i + 1}`, state }));

test("after a decision, focus goes to the next undecided suggestion, then back to an earlier one", () => {
  const page = marks("pending", "accepted", "rejected", "possible", "accepted");
  assert.equal(nextUndecided(page, "1:0:1:2"), "1:0:3:4");
  assert.equal(nextUndecided(page, "1:0:3:4"), "1:0:0:1", "none after it: the first one before it");
  assert.equal(nextUndecided(marks("accepted", "rejected"), "1:0:0:1"), null, "every suggestion decided");
  assert.equal(nextUndecided(page, "9:0:0:1"), "1:0:0:1", "a mark no longer on the page: the first undecided");
  assert.equal(nextUndecided(marks("pending"), "1:0:0:1"), null, "not the one just decided, should it stay pending");
});

test("a failure shows the server's words, else the page's own, never a status code", () => {
  assert.equal(failure({ ok: false, status: 409, body: { error: { code: "decided_meanwhile", message: "Другой фасилитатор…" } } }, t),
    "Другой фасилитатор…");
  assert.equal(failure({ ok: false, status: 502, body: null }, t), "[review.failed]");
  assert.equal(failure({ ok: false, status: 500, body: { error: { message: "  " } } }, t), "[review.failed]");
  assert.equal(failure(null, t), "[review.offline]");
});

class FakeForm {
  constructor(action, fields) { this.action = action; this.fields = fields; }
}

test("a form is sent as the browser would post it, asking for JSON, with the page's CSRF token", async () => {
  globalThis.FormData = class { constructor(form) { return Object.entries(form.fields); } };
  const calls = [];
  const reply = (status, body, type = "application/json") => async (url, init) => {
    calls.push({ url, init });
    return { ok: status < 400, status, type: "basic", headers: new Map([["content-type", type]]), json: async () => body };
  };
  const form = new FakeForm("/sessions/3/transcript/decisions", { csrf_token: "tok", accept: "1", statement_id: "12" });
  const done = await send(form, { fetchImpl: reply(200, { key: "12:0:0:3" }), token: "tok" });
  assert.deepEqual(done, { ok: true, status: 200, body: { key: "12:0:0:3" } });
  const { url, init } = calls[0];
  assert.equal(url, "/sessions/3/transcript/decisions");
  assert.equal(init.method, "POST");
  assert.equal(init.headers.Accept, "application/json");
  assert.equal(init.headers["X-CSRF-Token"], "tok");
  assert.equal(init.body.toString(), "csrf_token=tok&accept=1&statement_id=12");
  assert.equal(init.redirect, "manual");

  const refused = await send(form, { fetchImpl: reply(403, { error: { code: "csrf_failed", message: "Expired" } }) });
  assert.equal(refused.status, 403);
  assert.equal(await send(form, { fetchImpl: reply(200, null, "text/html") }), null, "a page is no answer");
  assert.equal(await send(form, { fetchImpl: async () => { throw new TypeError("offline"); } }), null);
  assert.equal(await send(form, { fetchImpl: async () => ({ type: "opaqueredirect", status: 0 }) }), null);
});
