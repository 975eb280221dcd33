// The connection line (room/panels/status.js): what it says in each phase, and that the part
// screen readers hear (the pill, a polite live region) changes once per outage, not per attempt.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { createTranslator } from "../static/js/i18n.js";
import { RoomConnection } from "../static/js/room/connection.js";
import { connectionStatus, formatDeadline, withdrawalDeadline } from "../static/js/room/panels/status.js";
import { FakeClock, fakeWebSocketClass } from "./fakes.mjs";

const catalog = (lang) => import(`../static/i18n/${lang}.json`, { with: { type: "json" } }).then((m) => m.default);
const t = createTranslator(await catalog("en"));

const summary = (fields) => ({ state: "connecting", retrying: false, reconnectIn: null, ended: null, ...fields });

describe("connectionStatus", () => {
  test("connecting, then connected", () => {
    assert.deepEqual(connectionStatus(summary({}), t), { phase: "connecting", text: "Connecting…", detail: "", tryNow: false });
    assert.deepEqual(connectionStatus(summary({ state: "open" }), t), { phase: "open", text: "Connected", detail: "", tryNow: false });
  });

  test("lost: a countdown in whole seconds with Try now, then trying again", () => {
    const offline = (reconnectIn) => connectionStatus(summary({ state: "offline", retrying: true, reconnectIn }), t);
    assert.deepEqual(offline(7200), {
      phase: "offline", text: "Offline — reconnecting; what you write is kept and sent", detail: "Reconnecting in 8 s…", tryNow: true,
    });
    assert.equal(offline(1000).detail, "Reconnecting in 1 s…");
    assert.deepEqual([offline(999).detail, offline(999).tryNow], ["Connection lost. Trying again…", false]);
    const trying = connectionStatus(summary({ state: "connecting", retrying: true }), t);
    assert.deepEqual([trying.phase, trying.detail, trying.tryNow], ["offline", "Connection lost. Trying again…", false]);
    const notWelcomed = connectionStatus(summary({ state: "open", retrying: true }), t);
    assert.equal(notWelcomed.phase, "offline", "open but not yet welcomed is still trying");
  });

  test("ended: why, by the close code", () => {
    const ended = (code) => connectionStatus(summary({ state: "ended", ended: { code, reason: "" } }), t);
    assert.deepEqual(ended(4401), { phase: "ended", text: "Your login has ended", detail: "", tryNow: false });
    assert.equal(ended(4429).text, "Open in another tab or device");
    assert.equal(ended(4403).text, "You are no longer in the room");
    assert.equal(ended(1008).text, "You are no longer in the room");
    assert.equal(connectionStatus(summary({ state: "ended" }), t).text, "You are no longer in the room");
  });

  test("every text it uses exists in every language, with its placeholders", async () => {
    const keys = ["connection.retry_in", "connection.trying", "connection.try_now", "connection.login_ended",
      "connection.elsewhere", "notice.login_ended", "notice.log_in", "notice.elsewhere", "notice.use_here"];
    for (const lang of ["en", "ru", "az", "hy"]) {
      const messages = await catalog(lang);
      for (const key of keys) assert.ok(typeof messages[key] === "string" && messages[key].trim(), `${lang}: ${key}`);
      const text = createTranslator(messages, { lang })("connection.retry_in", { seconds: 8 });
      assert.match(text, /8/, lang);
      assert.doesNotMatch(text, /\{seconds\}/, lang);
    }
  });
});

describe("the line over an outage", () => {
  test("the announced text changes once when the connection is lost and once when it is back", () => {
    const clock = new FakeClock();
    const WS = fakeWebSocketClass();
    const conn = new RoomConnection({ url: "wss://host/ws/sessions/7", WebSocketImpl: WS, timers: clock, now: () => clock.now,
                                      random: () => 0.5, maxStatementChars: 100, pingEvery: 1e9 });
    const pill = [];
    const details = new Set();
    const sample = () => {
      const status = connectionStatus(conn, t);
      if (pill.at(-1) !== status.text) pill.push(status.text);
      details.add(status.detail);
    };
    conn.on("state", sample);
    conn.on("reconnecting", sample);
    conn.on("welcome", sample); // the app redraws everything on a welcome
    conn.start();
    WS.last.open();
    WS.last.deliver({ type: "welcome", last_seq: 0, state: {}, you: {} });
    clock.advance(10000);
    // The server fails for 60 s: it accepts connections and closes them at once.
    WS.last.serverClose(1011, "");
    for (let second = 0; second < 60; second++) {
      clock.advance(1000);
      sample(); // the view redraws the countdown every second
      if (conn.state === "connecting") {
        WS.last.open();
        WS.last.serverClose(1013, "");
      }
    }
    while (conn.state !== "connecting") clock.advance(1000);
    WS.last.open();
    WS.last.deliver({ type: "welcome", last_seq: 0, state: {}, you: {} });
    assert.ok(WS.sockets.length > 5, `${WS.sockets.length} attempts`);
    assert.deepEqual(pill, ["Connecting…", "Connected", "Offline — reconnecting; what you write is kept and sent", "Connected"]);
    assert.ok([...details].some((d) => /^Reconnecting in \d+ s…$/.test(d)), [...details].join(" | "));
  });
});

describe("the closing screen's deadline", () => {
  test("is the session's end plus the programme's window, as the server counts it", () => {
    const deadline = withdrawalDeadline("2026-05-01T18:30:00+00:00", 72);
    assert.equal(deadline?.toISOString(), "2026-05-04T18:30:00.000Z");
  });

  test("is unknown without the end's time, and never a made-up date", () => {
    assert.equal(withdrawalDeadline(null, 72), null);
    assert.equal(withdrawalDeadline("not a time", 72), null);
  });

  test("is written as a date in the reader's language", () => {
    const date = new Date("2026-05-04T18:30:00Z");
    for (const lang of ["en", "ru", "az", "hy"]) {
      const text = formatDeadline(date, lang);
      assert.match(text, /2026/, lang);
      assert.doesNotMatch(text, /Invalid/, lang);
    }
  });
});
