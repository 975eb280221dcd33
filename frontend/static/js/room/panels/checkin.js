// @ts-check
// A participant's check-in thread with the facilitators: their words and the answer form.
// Drawn inside the notices (panels/notices.js); facilitators see check-ins in the console's
// back-channel instead.

/** @import { RoomView } from "../view.js" */

import { h } from "../dom.js";
import { isFacilitator } from "../state.js";

/**
 * The thread, or null when there is none to show.
 * @param {RoomView} view
 */
export function checkInThread(view) {
  const { t, room } = view;
  const you = room.you;
  const checkIns = room.messages.filter((m) => m.channel === "check_in" && (view.facilitator || m.about_seat_id === you?.seat_id));
  return !view.facilitator && checkIns.length
    ? h("section", { class: "card check-in", "aria-label": t("checkin.title") },
        h("h2", { text: t("checkin.title") }),
        h("ul", {}, checkIns.map((m) => h("li", {}, h("strong", { text: isFacilitator(m.role) ? t("role.facilitator") : t("checkin.you") }), " ", m.text))),
        checkInForm(view))
    : null;
}

/** @param {RoomView} view */
function checkInForm(view) {
  const t = view.t;
  const input = h("input", { type: "text", maxlength: view.maxStatementChars, "aria-label": t("checkin.reply") });
  const form = h("form", { class: "inline-form" }, input, h("button", { type: "submit", text: t("checkin.send") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text && await view.run("check_in", { text })) input.value = "";
  });
  return form;
}
