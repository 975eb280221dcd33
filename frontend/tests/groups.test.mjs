// The console's breakout groups (room/panels/groups.js): drawing the groups before they open
// (the proposal as the facilitator adjusts it), the groups' names, a report's state in a few
// words, and group alerts counted with the others (room/panels/alerts.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { alertCounts, alertKind } from "../static/js/room/panels/alerts.js";
import {
  MANUAL_GROUPS, MAX_GROUPS, addGroup, draftOf, groupTitle, moveSeat, openingGroups, plannedMinutes, removeGroup, reportState,
  visitUrl, withArrivals,
} from "../static/js/room/panels/groups.js";

// A translator that shows the key and its parameters, so a test sees which words were chosen.
const t = (key, params = {}) => (Object.keys(params).length ? `${key}(${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(",")})` : key);
const label = (key) => ({ a: "Community A", b: "Community B" })[key] ?? key;

const caucus = () => draftOf(7, { groups: [{ community: "a", seat_ids: [1, 2] }, { community: "b", seat_ids: [3, 4] }], unplaced: [5] });

test("a proposal becomes the draft as it is; none proposed (manual) starts with two empty groups and everyone unplaced", () => {
  const draft = caucus();
  assert.deepEqual(draft, { item_id: 7, groups: [{ community: "a", seat_ids: [1, 2] }, { community: "b", seat_ids: [3, 4] }], unplaced: [5] });
  const manual = draftOf(7, { groups: [], unplaced: [1, 2, 3] });
  assert.equal(manual.groups.length, MANUAL_GROUPS);
  assert.deepEqual(manual.groups, [{ community: null, seat_ids: [] }, { community: null, seat_ids: [] }]);
  assert.deepEqual(manual.unplaced, [1, 2, 3]);
  assert.deepEqual(openingGroups(manual), [], "empty groups are not opened");
});

test("moving a person takes them out of where they were and into the chosen group, or into none", () => {
  const draft = caucus();
  const moved = moveSeat(draft, 2, 1);
  assert.deepEqual(moved.groups.map((g) => g.seat_ids), [[1], [3, 4, 2]]);
  assert.deepEqual(draft.groups.map((g) => g.seat_ids), [[1, 2], [3, 4]], "the draft before is not changed");
  const placed = moveSeat(moved, 5, 0);
  assert.deepEqual(placed.groups.map((g) => g.seat_ids), [[1, 5], [3, 4, 2]]);
  assert.deepEqual(placed.unplaced, []);
  const out = moveSeat(placed, 3, null);
  assert.deepEqual(out.groups.map((g) => g.seat_ids), [[1, 5], [4, 2]]);
  assert.deepEqual(out.unplaced, [3]);
  assert.deepEqual(moveSeat(out, 3, 9).unplaced, [3], "no such group: no group");
  assert.deepEqual(openingGroups(out), [[1, 5], [4, 2]]);
});

test("groups are added up to the most the server allows, and a removed group's people go to no group", () => {
  let draft = caucus();
  draft = addGroup(draft);
  assert.deepEqual(draft.groups.at(-1), { community: null, seat_ids: [] });
  draft = moveSeat(draft, 5, 2);
  const removed = removeGroup(draft, 0);
  assert.deepEqual(removed.groups.map((g) => g.seat_ids), [[3, 4], [5]]);
  assert.deepEqual(removed.unplaced, [1, 2]);
  let one = draftOf(7, { groups: [{ community: null, seat_ids: [1] }], unplaced: [] });
  assert.equal(removeGroup(one, 0), one, "the last group stays");
  for (let i = 0; i < 20; i += 1) one = addGroup(one);
  assert.equal(one.groups.length, MAX_GROUPS);
});

test("someone who came in after the proposal is listed in no group; nobody new changes nothing", () => {
  const draft = caucus();
  assert.equal(withArrivals(draft, [1, 2, 3, 5]), draft);
  assert.deepEqual(withArrivals(draft, [1, 9, 2, 8]).unplaced, [5, 9, 8]);
});

test("a caucus is named by its community, any other group by its number", () => {
  assert.equal(groupTitle(t, { community: "a", number: 1 }, label), "breakout.caucus_name(community=Community A)");
  assert.equal(groupTitle(t, { community: null, number: 2 }, label), "breakout.group_name(n=2)");
  assert.equal(groupTitle(t, { community: "b", number: 3 }, label, "caucus"), "breakout.caucus_name(community=Community B)");
  assert.equal(groupTitle(t, { community: "b", number: 3 }, label, "mixed"), "breakout.group_name(n=3)", "a mixed group is numbered");
});

test("a report is agreed, or written with how many are ready, or not written yet", () => {
  assert.equal(reportState(t, { written: true, agreed: true, ready: 3, present: 3 }), "groups.report_agreed");
  assert.equal(reportState(t, { written: true, agreed: false, ready: 2, present: 3 }), "groups.report_ready(ready=2,present=3)");
  assert.equal(reportState(t, { written: false, agreed: false, ready: 0, present: 3 }), "groups.report_none");
  assert.equal(reportState(t, null), "");
});

test("the groups start with the item's planned minutes; a visit opens the group's own console", () => {
  assert.equal(plannedMinutes({ planned_seconds: 1200 }), 20);
  assert.equal(plannedMinutes({ planned_seconds: 20 }), 1);
  assert.equal(plannedMinutes(null), 15);
  assert.equal(visitUrl({ session_id: 42 }), "/sessions/42/room");
});

test("a group's break request or report counts with the others of its kind", () => {
  const alerts = [{ type: "group_alert", kind: "break_requested" }, { type: "group_alert", kind: "report_made" },
                  { type: "break_requested" }, { type: "time_up" }];
  assert.equal(alertKind(alerts[0]), "break_requested");
  assert.deepEqual(alertCounts(alerts), { report_made: 1, break_requested: 2, private_message: 0, time_up: 1 });
});
