// Breakouts in the browser's room state (room/state.js): the breakout view from the welcome and
// breakout_changed, this seat's group derived from it, which group room to show, the group
// room's report and messages, group alerts; and the words of panels/breakout.js.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  applyEvent, applyReport, applyWelcome, breakoutRemaining, communityLabel, createRoom, groupById, groupForSeat,
  reportReadiness, wantedGroupSession,
} from "../static/js/room/state.js";
import { MinuteAnnouncer, groupName, timeLeftText } from "../static/js/room/panels/breakout.js";
import { routeTable } from "../static/js/room/panels/routes.js";
import { GROUP_PANELS, ROOM_PANELS } from "../static/js/room/view.js";

const T0 = Date.parse("2026-03-01T10:00:00Z");

function breakoutView(extra = {}) {
  return {
    id: 5, item_id: 3, grouping: "caucus", status: "open", opened_at: "2026-03-01T10:00:00Z", ends_at: "2026-03-01T10:20:00Z",
    remaining_seconds: 1200,
    groups: [
      { id: 51, number: 1, session_id: 101, community: "a", seat_ids: [1, 2] },
      { id: 52, number: 2, session_id: 102, community: "b", seat_ids: [3, 4] },
    ],
    unplaced: [9],
    ...extra,
  };
}

function welcome({ seatId = 1, role = "participant", state = {}, you = {} } = {}) {
  return {
    type: "welcome", last_seq: 0,
    state: {
      session_id: 7, languages: ["en", "ru"], title: { en: "T" }, status: "live", show_communities: true, speaking_mode: "open",
      agenda: { item: null, running: false, remaining_seconds: null, ends_at: null, count: 0 },
      present: [], floor: { seat_id: null, since: null, ends_at: null, queue: [] }, round: null, polls: [],
      slow_mode_seconds: 0, locked: false, muted: [], ...state,
    },
    you: { seat_id: seatId, display_name: "Me", role, muted: false, muted_until: null, hand_raised: false, ...you },
  };
}

const changed = (seq, action, breakout) => ({ type: "breakout_changed", seq, at: "2026-03-01T10:00:00Z", action, breakout });

function mainRoom(options = {}) {
  const room = createRoom();
  applyWelcome(room, welcome(options));
  return room;
}

function groupRoom({ seatId = 201, mainSeatId = 1, report = {}, present = [] } = {}) {
  const room = createRoom();
  applyWelcome(room, welcome({
    seatId,
    you: { main_seat_id: mainSeatId, group_session_id: 101 },
    state: {
      session_id: 101, breakout: breakoutView(), present,
      group: { id: 51, number: 1, community: "a", main_session_id: 7,
               report: { group_id: 51, version: 0, text: "", ready: [], agreed: false, ...report } },
    },
  }));
  return room;
}

test("a welcome without a breakout: none, and no group", () => {
  const room = mainRoom();
  assert.equal(room.breakout, null);
  assert.equal(room.you.group_session_id, null);
  assert.deepEqual(room.communities, {});
  assert.equal(room.group, null);
  assert.equal(room.report, null);
});

test("the welcome's breakout places this seat in the group whose members include it", () => {
  const room = mainRoom({ seatId: 3, state: { breakout: breakoutView() } });
  assert.equal(room.breakout.id, 5);
  assert.equal(room.you.group_session_id, 102);
  const late = mainRoom({ seatId: 9, state: { breakout: breakoutView() } });
  assert.equal(late.you.group_session_id, null, "an unplaced participant is in no group");
});

test("breakout_changed: opened places, moved moves, ended is none", () => {
  const room = mainRoom({ seatId: 2 });
  let change = applyEvent(room, changed(1, "opened", breakoutView()));
  assert.deepEqual([change.kind, change.action], ["breakout", "opened"]);
  assert.equal(room.you.group_session_id, 101);
  // Moved into group 2.
  applyEvent(room, changed(2, "moved", breakoutView({
    groups: [{ id: 51, number: 1, session_id: 101, community: null, seat_ids: [1] },
             { id: 52, number: 2, session_id: 102, community: null, seat_ids: [3, 4, 2] }] })));
  assert.equal(room.you.group_session_id, 102);
  // Moved back to the main room.
  applyEvent(room, changed(3, "moved", breakoutView({ groups: [{ id: 51, number: 1, session_id: 101, community: null, seat_ids: [1] }], unplaced: [2] })));
  assert.equal(room.you.group_session_id, null);
  assert.ok(room.breakout, "still open");
  applyEvent(room, changed(4, "extended", breakoutView({ ends_at: "2026-03-01T10:25:00Z" })));
  assert.equal(room.breakout.ends_at, "2026-03-01T10:25:00Z");
  assert.equal(room.you.group_session_id, 101);
  change = applyEvent(room, changed(5, "ended", breakoutView({ status: "ended" })));
  assert.deepEqual([change.kind, change.action, change.breakout.status], ["breakout", "ended", "ended"]);
  assert.equal(room.breakout, null);
  assert.equal(room.you.group_session_id, null);
  assert.equal(room.lastSeq, 5);
});

test("the group helpers", () => {
  const breakout = breakoutView();
  assert.equal(groupForSeat(breakout, 4).id, 52);
  assert.equal(groupForSeat(breakout, 9), null);
  assert.equal(groupForSeat(null, 1), null);
  assert.equal(groupById(breakout, 51).session_id, 101);
  assert.equal(groupById(breakout, 99), null);
  assert.equal(breakoutRemaining(breakout, T0 + 60_000), 1140);
  assert.equal(breakoutRemaining(breakout, T0 + 3_600_000), 0, "never negative");
  assert.equal(breakoutRemaining(null), null);
});

test("which group room to show: one's own, unless it refused this seat; a visit; none once ended", () => {
  const room = mainRoom({ seatId: 1, state: { breakout: breakoutView() } });
  assert.equal(wantedGroupSession(room), 101);
  assert.equal(wantedGroupSession(room, { refused: 101 }), null, "closed out (4410) and the main room not yet told");
  assert.equal(wantedGroupSession(room, { ended: new Set([5]) }), null, "the group room said the breakout ended");
  const interpreter = mainRoom({ seatId: 40, role: "interpreter", state: { breakout: breakoutView() } });
  assert.equal(wantedGroupSession(interpreter), null, "an interpreter is in no group until entering one");
  assert.equal(wantedGroupSession(interpreter, { visiting: 102 }), 102);
  assert.equal(wantedGroupSession(interpreter, { visiting: 999 }), null, "not a group of this breakout");
  applyEvent(interpreter, changed(1, "ended", breakoutView({ status: "ended" })));
  assert.equal(wantedGroupSession(interpreter, { visiting: 102 }), null);
});

test("a page whose own room is a group's (a facilitator visiting in its console) opens no other group", () => {
  const room = groupRoom({ report: { version: 2, text: "Draft", ready: [] } });
  assert.equal(room.you.group_session_id, room.session.session_id);
  assert.equal(wantedGroupSession(room), null);
});

test("a group room: its group, report and the seats of both rooms", () => {
  const room = groupRoom({ report: { version: 2, text: "Draft", ready: [201] } });
  assert.equal(room.group.number, 1);
  assert.equal(room.you.seat_id, 201);
  assert.equal(room.you.main_seat_id, 1);
  assert.equal(room.you.group_session_id, 101, "a group room is its own group");
  assert.deepEqual(room.report, { group_id: 51, version: 2, text: "Draft", ready: [201], agreed: false });
  applyEvent(room, changed(1, "ended", breakoutView({ status: "ended" })));
  assert.equal(room.breakout, null);
  assert.equal(room.you.group_session_id, null);
});

test("report_changed: the report as it is now; an older one never replaces a newer", () => {
  const room = groupRoom();
  const change = applyEvent(room, { type: "report_changed", seq: 1, at: "x", group_id: 51, version: 1, text: "We agree on A.",
                                    ready: [], agreed: false });
  assert.equal(change.kind, "report");
  assert.equal(room.report.text, "We agree on A.");
  // The save's own result, applied before its event.
  applyReport(room, { group_id: 51, version: 3, text: "We agree on A and B.", ready: [201], agreed: false });
  applyEvent(room, { type: "report_changed", seq: 2, at: "x", group_id: 51, version: 2, text: "Older", ready: [], agreed: false });
  assert.equal(room.report.version, 3);
  assert.equal(room.report.text, "We agree on A and B.");
  applyEvent(room, { type: "report_changed", seq: 3, at: "x", group_id: 51, version: 3, text: null, ready: [201, 202], agreed: true });
  assert.deepEqual(room.report, { group_id: 51, version: 3, text: "", ready: [201, 202], agreed: true });
});

test("readiness counts the group's participants here, and anyone here who said ready", () => {
  const present = [
    { seat_id: 201, display_name: "Me", role: "participant", community: "a" },
    { seat_id: 202, display_name: "Ani", role: "participant", community: "a" },
    { seat_id: 203, display_name: "Nigar", role: "participant", community: "a" },
    { seat_id: 300, display_name: "Interpreter 1", role: "interpreter", community: null },
  ];
  const room = groupRoom({ present, report: { version: 1, text: "x", ready: [202, 205] } });
  assert.deepEqual(reportReadiness(room), { ready: 1, of: 3, mine: false, agreed: false });
  applyReport(room, { group_id: 51, version: 1, text: "x", ready: [201, 202, 300], agreed: false });
  assert.deepEqual(reportReadiness(room), { ready: 3, of: 4, mine: true, agreed: false });
});

test("broadcasts are kept in the group room; group alerts are alerts, done like the others", () => {
  const room = groupRoom();
  const change = applyEvent(room, { type: "broadcast", seq: 1, at: "x", message_id: 8, text: "Five minutes left" });
  assert.equal(change.kind, "broadcast");
  assert.equal(room.broadcasts.at(-1).text, "Five minutes left");

  const main = mainRoom({ seatId: 50, role: "facilitator" });
  const alert = applyEvent(main, { type: "group_alert", seq: 1, at: "x", group_id: 52, kind: "break_requested" });
  assert.equal(alert.kind, "alert");
  assert.deepEqual(main.alerts.map((a) => [a.type, a.seq, a.group_id]), [["group_alert", 1, 52]]);
  applyEvent(main, { type: "alert_done", seq: 2, at: "x", alert_seq: 1 });
  assert.deepEqual(main.alerts, []);
});

test("community labels: the welcome's in the reader's language, else the page's, else any, else the key", () => {
  const room = mainRoom({ state: { communities: { a: { en: "Community A", ru: "Сообщество А" }, b: { ru: "Сообщество Б" } } } });
  assert.equal(communityLabel(room, "a", "ru"), "Сообщество А");
  assert.equal(communityLabel(room, "b", "en", "Page B"), "Page B");
  assert.equal(communityLabel(room, "b", "en"), "Сообщество Б");
  assert.equal(communityLabel(room, "c", "en"), "c");
});

// The words -----------------------------------------------------------------------------

const t = (key, params = {}) => `${key}${Object.keys(params).length ? JSON.stringify(params) : ""}`;

test("a group's name: a caucus by its community, any other group by its number", () => {
  const label = (key) => `<${key}>`;
  assert.equal(groupName(t, "caucus", { number: 2, community: "b" }, label), 'breakout.caucus_name{"community":"<b>"}');
  assert.equal(groupName(t, "mixed", { number: 3, community: null }, label), 'breakout.group_name{"n":3}');
  assert.equal(groupName(t, "manual", { number: 1, community: "a" }, label), 'breakout.group_name{"n":1}');
});

test("the time left, and what a screen reader hears of it: only a new minute", () => {
  assert.equal(timeLeftText(t, 760), 'breakout.time_left{"time":"12:40"}');
  assert.equal(timeLeftText(t, 0), "breakout.time_up");
  assert.equal(timeLeftText(t, null), "");
  const minutes = new MinuteAnnouncer();
  const heard = [760, 759, 721, 720, 719, 61, 60, 59, 1, 0, 0].map((s) => minutes.next(t, s));
  assert.deepEqual(heard, [null, null, null, 'breakout.minutes_left{"count":12}', null, 'breakout.minutes_left{"count":2}',
    'breakout.minutes_left{"count":1}', null, null, "breakout.time_up", null]);
  // Extended: the new minute is said at once.
  assert.equal(minutes.next(t, 300), 'breakout.minutes_left{"count":5}');
});

test("a group room's panels draw its report, its messages and the breakout; the main room's the breakout", () => {
  const group = routeTable(GROUP_PANELS);
  assert.deepEqual(group.get("report_changed").map((p) => p.name), ["ReportPanel"]);
  assert.deepEqual(group.get("broadcast").map((p) => p.name), ["BroadcastPanel"]);
  assert.deepEqual(group.get("breakout_changed").map((p) => p.name), ["GroupHeaderPanel"]);
  assert.ok(group.get("statement").some((p) => p.name === "StatementsPanel"));
  assert.deepEqual(routeTable(ROOM_PANELS).get("breakout_changed").map((p) => p.name), ["BreakoutPanel"]);
});
