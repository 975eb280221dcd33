// @ts-check
// Which panels redraw for which room event: each panel class says the event types it cares
// about (`static events`), and routeTable() turns a view's panels into one table, event type
// → panels in page order. RoomView.update() only looks the event up in it. An event type no
// panel cares about is listed in IGNORED_EVENTS with the reason (frontend/tests/panels.test.mjs
// checks both, and ROOM_EVENT_TYPES against the server's room events).

/** @import { Change, RoomEvent, RoomEventType } from "../types.js" */
/** @import { RoomView } from "../view.js" */

/**
 * One part of the room page (a `data-part` container), drawn from the room state.
 * @typedef {object} Panel
 * @property {() => void} render draws the whole part
 * @property {(change: Change, frame: RoomEvent) => void} [update] one room event of a type in its class's
 *   `events`, with what applyEvent() said changed (without it: render())
 * @property {() => void} [tick] every second (clocks)
 */

/**
 * @template {Panel} [P=Panel]
 * @typedef {{new (view: RoomView): P, readonly events: readonly RoomEventType[]}} PanelClass
 */

/** @type {Record<RoomEventType, true>} every room event type of types.js's RoomEvent, no more, no less */
const EVERY_EVENT = {
  statement: true, translation_posted: true, presence_joined: true, presence_left: true, session_status: true, agenda_changed: true,
  floor_changed: true, round_changed: true, poll_changed: true, poll_progress: true, seat_changed: true,
  moderation: true, statement_changed: true, reactions_changed: true, room_settings: true, break_requested: true,
  report_made: true, private_message: true, time_up: true, alert_done: true, turn_warning: true, lobby_message: true,
  breakout_changed: true, group_alert: true, report_changed: true, broadcast: true,
};
/** The room event types this code knows (the keys of a Record over the RoomEventType union). */
export const ROOM_EVENT_TYPES = /** @type {RoomEventType[]} */ (Object.keys(EVERY_EVENT));

/**
 * Room events that no panel redraws for, and why.
 * @type {Readonly<Partial<Record<RoomEventType, string>>>}
 */
export const IGNORED_EVENTS = {
  report_changed: "group rooms only: their own panels (view.js GROUP_PANELS) draw the report",
  broadcast: "group rooms only: their own panels (view.js GROUP_PANELS) show the facilitators' message",
};

/**
 * @template {{readonly events: readonly RoomEventType[]}} C
 * @param {readonly C[]} classes in page order
 * @returns {Map<RoomEventType, C[]>}
 */
export function routeTable(classes) {
  /** @type {Map<RoomEventType, C[]>} */
  const table = new Map();
  for (const panel of classes) {
    for (const type of panel.events) table.set(type, [...(table.get(type) ?? []), panel]);
  }
  return table;
}
