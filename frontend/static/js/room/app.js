// @ts-check
// Boots the room page: loads the translations, connects, and wires the protocol client,
// the room state and the view (the participant's room or the facilitator's console).

/** @import { Api, RoomData } from "./types.js" */

import { createTranslator, loadCatalog } from "../i18n.js";
import { CLOSE, RoomConnection } from "./connection.js";
import { ConsoleView } from "./console.js";
import { mustFind } from "./dom.js";
import { NoticesPanel } from "./panels/notices.js";
import { applyEvent, applyWelcome, createRoom, resetRoom } from "./state.js";
import { RoomView } from "./view.js";

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
const connection = new RoomConnection({ url: `${scheme}://${location.host}/ws/sessions/${data.session_id}`, maxStatementChars });
const room = createRoom();
const View = data.role === "facilitator" ? ConsoleView : RoomView;
// After a login ended (4401), the login page brings the person back to this room.
// The closing screen offers participants the post-session survey (web/survey_pages.py).
const links = { waiting: data.waiting_url, login: `/login?next=${encodeURIComponent(location.pathname)}`,
                survey: `/sessions/${data.session_id}/survey/post` };
const view = new View({ root, room, connection, t, api, communities: data.communities, maxStatementChars, links,
                        lang, languageNames: data.language_names ?? {},
                        closing: { keepTranscript: data.keep_transcript, withdrawalHours: data.withdrawal_hours } });

connection.on("state", () => { view.renderStatus(); view.renderComposer(); });
connection.on("reconnecting", () => view.renderStatus());
connection.on("welcome", (welcome) => { applyWelcome(room, welcome); view.renderAll(); });
connection.on("event", (frame) => view.update(applyEvent(room, frame), frame));
connection.on("reset", () => { resetRoom(room); view.renderAll(); });
connection.on("ack", () => view.renderComposer());
connection.on("statement-error", (error) => { view.flash(view.errorText(error)); view.renderComposer(); });
// A final close (connection.js's FINAL_CLOSE): the notices say what to do next (NoticesPanel.endedNote).
connection.on("ended", (ended) => {
  room.ended = ended;
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
addEventListener("online", () => connection.retryNow());
