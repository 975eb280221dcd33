// Boots the room page: loads the translations, connects, and wires the protocol client,
// the room state and the view (the participant's room or the facilitator's console).

import { createTranslator, loadCatalog } from "../i18n.js";
import { RoomConnection } from "./connection.js";
import { ConsoleView } from "./console.js";
import { applyEvent, applyWelcome, createRoom, resetRoom } from "./state.js";
import { RoomView } from "./view.js";

const root = document.getElementById("room");
const data = JSON.parse(document.getElementById("room-data").textContent);
const lang = data.lang;
const [messages, english] = await Promise.all([loadCatalog(lang), lang === "en" ? Promise.resolve({}) : loadCatalog("en")]);
const t = createTranslator(messages, { lang, fallback: english });

const csrf = document.querySelector("meta[name=csrf-token]")?.content ?? "";
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

const scheme = location.protocol === "https:" ? "wss" : "ws";
const connection = new RoomConnection({ url: `${scheme}://${location.host}/ws/sessions/${data.session_id}` });
const room = createRoom();
const View = data.role === "facilitator" ? ConsoleView : RoomView;
const view = new View({ root, room, connection, t, api, communities: data.communities });

connection.addEventListener("state", () => { view.renderStatus(); view.renderComposer(); });
connection.addEventListener("welcome", (event) => { applyWelcome(room, event.detail); view.renderAll(); });
connection.addEventListener("event", (event) => view.update(applyEvent(room, event.detail), event.detail));
connection.addEventListener("reset", () => { resetRoom(room); view.renderAll(); });
connection.addEventListener("ack", () => view.renderComposer());
connection.addEventListener("statement-error", (event) => { view.flash(view.errorText(event.detail)); view.renderComposer(); });
connection.addEventListener("ended", (event) => {
  room.ended = event.detail;
  view.renderComposer();
  view.renderStatus();
  const notice = room.notices.at(-1);
  view.flash(notice ? view.noticeText(notice) : t("notice.ended"));
  const back = document.createElement("a");
  back.href = data.waiting_url;
  back.className = "button";
  back.textContent = t("notice.back_to_waiting");
  root.querySelector("[data-part=notices]").append(back);
});
view.renderAll();
root.dataset.ready = "true";
connection.start();
