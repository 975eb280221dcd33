// @ts-check
// Boots the room page: loads the translations, connects, and wires the protocol client,
// the room state and the view (the participant's room or the facilitator's console).
//
// During a breakout a second connection goes to a group's room: a participant's own group
// (the main room's breakout says which), or the group an interpreter or facilitator enters.
// That room has its own state and view (GROUP_PANELS, cloned from #group-room-template) and
// is shown instead of the main room, whose connection stays open: it carries the moves and
// the end of the breakout. When the breakout ends, or a move puts this person elsewhere (the
// group room closes with 4410, or the main room's breakout names another group or none), the
// group connection closes and the main room (or the new group) is shown again.

/** @import { Api, Room, RoomData } from "./types.js" */
/** @import { GroupRooms } from "./view.js" */

import { createTranslator, loadCatalog } from "../i18n.js";
import { CLOSE, RoomConnection } from "./connection.js";
import { ConsoleView } from "./console.js";
import { mustFind } from "./dom.js";
import { GroupHeaderPanel } from "./panels/breakout.js";
import { NoticesPanel } from "./panels/notices.js";
import { applyEvent, applyWelcome, createRoom, resetRoom, wantedGroupSession } from "./state.js";
import { GROUP_PANELS, RoomView } from "./view.js";

const root = mustFind(document, "#room");
/** @type {RoomData} */
const data = JSON.parse(mustFind(document, "#room-data").textContent ?? "");
const lang = data.lang;
const [messages, english] = await Promise.all([loadCatalog(lang), lang === "en" ? Promise.resolve({}) : loadCatalog("en")]);
const t = createTranslator(messages, { lang, fallback: english });

const csrf = document.querySelector("meta[name=csrf-token]")?.getAttribute("content") ?? "";
/** @type {Api} */
async function api(method, path, body) {
  const response = await fetch(`/api/sessions/${data.session_id}/${path}`, {
    method,
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: method === "GET" ? undefined : JSON.stringify(body ?? {}),
    credentials: "same-origin",
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(payload?.error?.message ?? response.statusText), { code: payload?.error?.code });
  return payload;
}

// The longest statement is the server's (room_data.max_statement_chars): the connection
// refuses longer ones, the composer and the check-in and back-channel inputs stop there.
const maxStatementChars = data.max_statement_chars;
const scheme = location.protocol === "https:" ? "wss" : "ws";
/** @param {number} sessionId */
const roomUrl = (sessionId) => `${scheme}://${location.host}/ws/sessions/${sessionId}`;
const connection = new RoomConnection({ url: roomUrl(data.session_id), maxStatementChars });
const room = createRoom();
const View = data.role === "facilitator" ? ConsoleView : RoomView;
// After a login ended (4401), the login page brings the person back to this room.
// The closing screen offers participants the post-session survey (web/survey_pages.py).
const links = { waiting: data.waiting_url, login: `/login?next=${encodeURIComponent(location.pathname)}`,
                survey: `/sessions/${data.session_id}/survey/post` };
const closing = { keepTranscript: data.keep_transcript, withdrawalHours: data.withdrawal_hours };

// The breakout's group rooms ------------------------------------------------------------------

/**
 * The group room shown now.
 * @typedef {object} GroupRoom
 * @property {number} sessionId
 * @property {RoomConnection} connection
 * @property {Room} room
 * @property {RoomView} view
 * @property {HTMLElement} root
 */

/** @type {GroupRoom | null} */
let group = null;
/** @type {number | null} the group an interpreter or facilitator entered */
let visiting = null;
/** @type {number | null} a group room that closed this seat out (4410) while the main room still places it there */
let refused = null;
/** @type {Set<number>} breakouts a group room said ended before the main room did */
const endedHere = new Set();

/** @type {GroupRooms} */
const groupRooms = {
  enter(sessionId) {
    if (room.you?.group_session_id === sessionId) refused = null;
    else visiting = sessionId;
    syncGroup();
  },
  leave() {
    visiting = null;
    syncGroup();
  },
  current: () => group?.sessionId ?? null,
};

const view = new View({ root, room, connection, t, api, communities: data.communities, maxStatementChars, links,
                        lang, languageNames: data.language_names ?? {}, closing, groups: groupRooms });

// Show the group room this person should be in now (none: the main room).
function syncGroup() {
  const target = wantedGroupSession(room, { visiting, refused, ended: endedHere });
  if (group?.sessionId === target) return;
  const left = group;
  if (left) closeGroup();
  if (target != null) {
    openGroup(target);
    // Moved from one group to another: said in the new one.
    if (left && group) {
      const breakout = room.breakout;
      const now = breakout?.groups.find((g) => g.session_id === target);
      if (now && room.you?.role === "participant") group.view.flash(t("breakout.moved_to", { name: groupLabel(now) }));
    }
    return;
  }
  if (left) {
    view.flash(t("breakout.back_in_main"));
    view.announce(t("breakout.back_in_main"));
    mustFind(document, "#main").focus();
  }
}

/** @param {{number: number, community: string | null}} g */
function groupLabel(g) {
  return g.community && room.breakout?.grouping === "caucus"
    ? t("breakout.caucus_name", { community: view.communityLabel(g.community) })
    : t("breakout.group_name", { n: g.number });
}

/** @param {number} sessionId */
function openGroup(sessionId) {
  const template = document.querySelector("#group-room-template");
  if (!(template instanceof HTMLTemplateElement)) return;
  const node = template.content.firstElementChild?.cloneNode(true);
  if (!(node instanceof HTMLElement)) return;
  node.id = "group-room";
  root.after(node);
  const groupRoom = createRoom();
  const groupConnection = new RoomConnection({ url: roomUrl(sessionId), maxStatementChars });
  const groupView = new RoomView({ root: node, room: groupRoom, connection: groupConnection, t, communities: data.communities,
                                   maxStatementChars, links, lang, languageNames: data.language_names ?? {}, closing,
                                   panels: GROUP_PANELS, idPrefix: `g${sessionId}-`, groups: groupRooms });
  const here = { sessionId, connection: groupConnection, room: groupRoom, view: groupView, root: node };
  group = here;
  const current = () => group === here;
  wire(groupConnection, groupRoom, groupView);
  groupConnection.on("welcome", (welcome) => {
    // A group whose breakout already ended: back to the main room.
    if (current() && (welcome.state.breakout?.status === "ended" || welcome.state.status === "ended")) endGroupHere();
  });
  groupConnection.on("event", (frame) => {
    if (!current()) return;
    if ((frame.type === "breakout_changed" && frame.breakout.status === "ended")
        || (frame.type === "session_status" && frame.status === "ended")) endGroupHere();
  });
  groupConnection.on("closed", ({ code }) => {
    if (!current() || code !== CLOSE.MOVED) return;
    // Moved out: the main room's breakout_changed says where to (another group, or the main room).
    if (visiting === sessionId) visiting = null;
    else refused = sessionId;
    syncGroup();
  });
  groupConnection.on("ended", ({ code }) => {
    if (!current()) return;
    // Opened in another tab: this one offers "Use it here" (the notices say so). Any other end: the main room.
    if (code === CLOSE.ELSEWHERE) return;
    if (visiting === sessionId) visiting = null;
    else refused = sessionId;
    syncGroup();
  });
  // Until its welcome, the group room's header says what the main room knows of it.
  const known = room.breakout?.groups.find((g) => g.session_id === sessionId);
  if (known && room.breakout) groupView.panel(GroupHeaderPanel).hint = { group: known, breakout: room.breakout };
  root.hidden = true;
  groupView.renderAll();
  groupConnection.start();
  groupView.panel(GroupHeaderPanel).focus();
}

// The group room's breakout ended (its own breakout_changed, or a welcome without one).
function endGroupHere() {
  const id = room.breakout?.id;
  if (id != null) endedHere.add(id);
  visiting = null;
  syncGroup();
}

function closeGroup() {
  const closing = group;
  group = null;
  if (!closing) return;
  closing.connection.stop();
  closing.view.destroy();
  closing.root.remove();
  root.hidden = false;
}

// A room's connection, state and view, wired together (the main room's and a group's alike).
/**
 * @param {RoomConnection} conn
 * @param {Room} state
 * @param {RoomView} shown
 */
function wire(conn, state, shown) {
  conn.on("state", () => { shown.renderStatus(); shown.renderComposer(); });
  conn.on("reconnecting", () => shown.renderStatus());
  conn.on("welcome", (welcome) => { applyWelcome(state, welcome); shown.renderAll(); });
  conn.on("event", (frame) => shown.update(applyEvent(state, frame), frame));
  conn.on("reset", () => { resetRoom(state); shown.renderAll(); });
  conn.on("ack", () => shown.renderComposer());
  conn.on("statement-error", (error) => { shown.flash(shown.errorText(error)); shown.renderComposer(); });
}

wire(connection, room, view);
// The main room says where this person is during a breakout.
connection.on("welcome", () => {
  if (room.you?.group_session_id !== refused) refused = null;
  syncGroup();
});
connection.on("event", (frame) => {
  if (frame.type !== "breakout_changed") return;
  // A new breakout starts afresh; a group that refused this seat counts only while the main room still names it.
  if (room.you?.group_session_id !== refused) refused = null;
  if (!room.breakout) visiting = null;
  syncGroup();
});
// A final close (connection.js's FINAL_CLOSE): the notices say what to do next (NoticesPanel.endedNote).
connection.on("ended", (ended) => {
  room.ended = ended;
  closeGroup();
  view.renderComposer();
  view.renderStatus();
  view.panel(NoticesPanel).render();
  if (ended.code === CLOSE.SEAT_ENDED || ended.code === CLOSE.POLICY) {
    const notice = room.notices.at(-1);
    // Sent to the lobby, removed or banned: the waiting page is where they are now, and it
    // gives the facilitator's reason (a stale room with a button over it would not).
    if (ended.code === CLOSE.SEAT_ENDED && notice?.type === "moderation" && notice.seat_id === room.you?.seat_id
        && ["send_to_lobby", "remove", "ban"].includes(notice.action)) {
      location.assign(links.waiting);
      return;
    }
    view.flash(notice ? view.noticeText(notice) : t("notice.ended"));
  }
});
view.renderAll();
root.dataset.ready = "true";
connection.start();
// Back online: no need to wait out the backoff (the server's retry_after still holds).
addEventListener("online", () => { connection.retryNow(); group?.connection.retryNow(); });
