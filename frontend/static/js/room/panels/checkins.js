// @ts-check
// The console's private check-ins: one thread per participant, each its own panel titled
// with that participant's name, with its answer form; apart from the facilitators-only
// back-channel (backchannel.js). A participant sees their own thread in the notices
// (checkin.js).

/** @import { RoomEventType } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { h, mustFind, replace } from "../dom.js";
import { isFacilitator } from "../state.js";

/**
 * The check-in threads a facilitator sees, by participant, in the order each began.
 * @param {readonly {channel?: string, about_seat_id?: number | null}[]} messages
 * @returns {Map<number, number>} seat id → how many messages
 */
export function checkInThreads(messages) {
  /** @type {Map<number, number>} */
  const threads = new Map();
  for (const m of messages) {
    if (m.channel !== "check_in" || m.about_seat_id == null) continue;
    threads.set(m.about_seat_id, (threads.get(m.about_seat_id) ?? 0) + 1);
  }
  return threads;
}

export class CheckInsPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["private_message"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=check-ins]");
    /** @type {Map<number, string>} what was being typed in each thread, kept across redraws */
    this.drafts = new Map();
  }

  render() {
    const { t, room } = this.view;
    const threads = [...checkInThreads(room.messages).keys()];
    this.el.hidden = !threads.length;
    replace(this.el, threads.map((seatId) => {
      const name = this.view.seatName(seatId);
      const headingId = `check-in-${seatId}`;
      const messages = room.messages.filter((m) => m.channel === "check_in" && m.about_seat_id === seatId);
      return h("section", { class: "card check-in-thread", "aria-labelledby": headingId, dataset: { seat: seatId } },
        h("h2", { id: headingId, text: t("checkin.thread", { name }) }),
        h("p", { class: "muted small", text: t("checkin.thread_note") }),
        h("ul", { class: "messages" }, messages.map((m) => h("li", {},
          h("strong", { text: isFacilitator(m.role) ? this.view.nameLabel(m.author) : name }), " ", m.text))),
        this.form(seatId, name));
    }));
  }

  /**
   * @param {number} seatId
   * @param {string} name
   */
  form(seatId, name) {
    const t = this.view.t;
    const input = h("input", { type: "text", maxlength: this.view.maxStatementChars, "aria-label": `${t("checkin.answer")}: ${name}` });
    input.value = this.drafts.get(seatId) ?? "";
    input.addEventListener("input", () => this.drafts.set(seatId, input.value));
    const form = h("form", { class: "inline-form" }, input, h("button", { type: "submit", text: t("checkin.send") }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (text && await this.view.run("check_in", { seat_id: seatId, text })) {
        this.drafts.delete(seatId);
        input.value = "";
      }
    });
    return form;
  }
}
