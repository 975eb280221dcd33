// The room view's routing: which panels redraw for which room event (room/panels/routes.js),
// checked against the server's room events (app/events/schemas.py, or app/live/protocol.py).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { CONSOLE_PANELS } from "../static/js/room/console.js";
import { IGNORED_EVENTS, ROOM_EVENT_TYPES, routeTable } from "../static/js/room/panels/routes.js";
import { ROOM_PANELS, RoomView } from "../static/js/room/view.js";

// Where the server's frame models are: `type: Literal["…"]` in each, less the transport frames.
const MODELS = ["app/events/schemas.py", "app/live/protocol.py"].map((path) => new URL(`../../${path}`, import.meta.url));
const TRANSPORT = new Set(["welcome", "noop", "ack", "ok", "error", "range_unavailable", "pong"]);

function serverRoomEventTypes() {
  const types = new Set();
  for (const file of MODELS.filter((url) => existsSync(url))) {
    for (const [, literal] of readFileSync(file, "utf-8").matchAll(/^\s+type: Literal\[([^\]]+)\]/gm)) {
      for (const [, name] of literal.matchAll(/"(\w+)"/g)) if (!TRANSPORT.has(name)) types.add(name);
    }
  }
  assert.ok(types.size > 10, [...types]);
  return types;
}

const roomEventTypes = () => ROOM_EVENT_TYPES;

const byName = (table) => Object.fromEntries([...table].map(([type, panels]) => [type, panels.map((p) => p.name)]));

// The table itself, as a reader would want to see it: event type → panels, in drawing order.
const CONSOLE_ROUTES = {
  statement: ["StatementsPanel", "TurnPanel", "BalancePanel"],
  statement_changed: ["StatementsPanel", "BalancePanel"],
  translation_posted: ["StatementsPanel"],
  reactions_changed: ["StatementsPanel"],
  presence_joined: ["PresencePanel", "LobbyPanel"],
  presence_left: ["PresencePanel", "LobbyPanel"],
  session_status: ["StatusPanel", "ComposerPanel", "TurnPanel", "SessionPanel", "GroupsPanel"],
  agenda_changed: ["AgendaPanel", "ComposerPanel", "TurnPanel", "BalancePanel", "SessionPanel", "GroupsPanel"],
  round_changed: ["RoundPanel", "ComposerPanel", "TurnPanel", "SessionPanel"],
  floor_changed: ["FloorPanel", "ComposerPanel", "TurnPanel"],
  poll_changed: ["PollsPanel"],
  poll_progress: ["PollsPanel"],
  seat_changed: ["PresencePanel", "ComposerPanel", "LobbyPanel"],
  moderation: ["NoticesPanel"],
  turn_warning: ["NoticesPanel"],
  private_message: ["NoticesPanel", "BackchannelPanel", "CheckInsPanel", "AlertsPanel"],
  alert_done: ["AlertsPanel"],
  break_requested: ["AlertsPanel"],
  report_made: ["AlertsPanel"],
  time_up: ["AlertsPanel"],
  room_settings: ["FloorPanel", "ComposerPanel", "SessionPanel"],
  lobby_message: ["LobbyPanel"],
  breakout_changed: ["BreakoutPanel", "GroupsPanel"],
  group_alert: ["AlertsPanel"],
};

describe("the routing table", () => {
  test("knows every room event type the server has, and no other", () => {
    assert.deepEqual(new Set(ROOM_EVENT_TYPES), serverRoomEventTypes());
  });

  test("every room event of the protocol goes to at least one panel, or is ignored on purpose", () => {
    const table = routeTable(CONSOLE_PANELS);
    for (const type of roomEventTypes()) {
      const routed = (table.get(type) ?? []).length > 0;
      assert.ok(routed !== Object.hasOwn(IGNORED_EVENTS, type), `${type}: routed or ignored, not both and not neither`);
    }
  });

  test("panels only name event types the protocol has", () => {
    const known = new Set(roomEventTypes());
    for (const panel of CONSOLE_PANELS) {
      assert.ok(panel.events.length > 0, `${panel.name} redraws for some event`);
      for (const type of panel.events) assert.ok(known.has(type), `${panel.name}: ${type}`);
    }
    for (const type of Object.keys(IGNORED_EVENTS)) assert.ok(known.has(type), type);
  });

  test("is this table, for the console; the participant's room is its part without the console's panels", () => {
    assert.deepEqual(byName(routeTable(CONSOLE_PANELS)), CONSOLE_ROUTES);
    const consoleOnly = new Set(CONSOLE_PANELS.filter((p) => !ROOM_PANELS.includes(p)).map((p) => p.name));
    assert.deepEqual(CONSOLE_PANELS.slice(0, ROOM_PANELS.length), [...ROOM_PANELS], "the room's panels come first");
    const roomRoutes = Object.fromEntries(Object.entries(CONSOLE_ROUTES)
      .map(([type, names]) => [type, names.filter((n) => !consoleOnly.has(n))]).filter(([, names]) => names.length));
    assert.deepEqual(byName(routeTable(ROOM_PANELS)), roomRoutes);
  });
});

describe("RoomView.update", () => {
  // The view with panels that only record what they are asked to do (no DOM needed).
  function viewWith(panels) {
    const calls = [];
    const saved = { HTMLElement: globalThis.HTMLElement, setInterval: globalThis.setInterval };
    globalThis.HTMLElement = class {};
    globalThis.setInterval = () => 0;
    try {
      const root = { querySelector: () => new globalThis.HTMLElement() };
      const view = new RoomView({ root, room: {}, connection: {}, t: (k) => k, maxStatementChars: 10, panels: panels(calls),
                                  onChange: (kind) => calls.push(["onChange", kind]) });
      return { view, calls };
    } finally {
      Object.assign(globalThis, saved);
    }
  }

  test("calls update on the panels the table names, in order, or render when a panel has no update", () => {
    const { view, calls } = viewWith((calls) => [
      class A { static events = ["statement", "agenda_changed"]; render() { calls.push(["A.render"]); } update(change, frame) { calls.push(["A.update", change.kind, frame.seq]); } },
      class B { static events = ["agenda_changed"]; render() { calls.push(["B.render"]); } },
      class C { static events = []; render() { calls.push(["C.render"]); } },
    ]);
    view.update({ kind: "agenda", action: "next" }, { type: "agenda_changed", seq: 4 });
    view.update({ kind: "settings" }, { type: "room_settings", seq: 5 });
    view.update({ kind: "none" }, { type: "from_a_newer_server", seq: 6 });
    assert.deepEqual(calls, [["A.update", "agenda", 4], ["B.render"], ["onChange", "agenda"], ["onChange", "settings"], ["onChange", "none"]]);
    calls.length = 0;
    view.renderAll();
    assert.deepEqual(calls, [["A.render"], ["B.render"], ["C.render"], ["onChange", "all"]]);
  });

  test("needs the longest statement, a positive whole number", () => {
    for (const maxStatementChars of [undefined, 0, 1.5, "2000"]) {
      assert.throws(() => new RoomView({ root: {}, room: {}, connection: {}, t: (k) => k, maxStatementChars, panels: [] }),
        /maxStatementChars/);
    }
  });
});
