// @ts-check
// Notices to this person: short-lived flashes (errors, confirmations), the last moderation
// notices and turn warnings, a participant's check-in thread, and once the room ended here,
// what to do next (log in again, use the room in this tab again, or go back to the session).

/** @import { Change, CloseInfo, Notice, RoomEventType } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { CLOSE } from "../connection.js";
import { h, mustFind, replace } from "../dom.js";
import { checkInThread } from "./checkin.js";

export class NoticesPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["moderation", "turn_warning", "private_message"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=notices]");
  }

  /** @type {{ended: CloseInfo, el: HTMLElement} | null} */
  #endedNote = null; // kept across redraws: the same node, not one inserted anew each time

  // What to do now that the room ended here, by the close code.
  endedNote() {
    const ended = this.view.room.ended;
    if (!ended) return (this.#endedNote = null);
    if (this.#endedNote?.ended === ended) return this.#endedNote.el;
    const t = this.view.t;
    const { links } = this.view;
    const el = ended.code === CLOSE.LOGIN_ENDED
      ? h("div", { class: "notice ended login-ended" },
          h("p", { text: t("notice.login_ended") }),
          h("a", { class: "button", href: links.login, text: t("notice.log_in") }))
      : ended.code === CLOSE.ELSEWHERE
        ? h("div", { class: "notice ended elsewhere" },
            h("p", { text: t("notice.elsewhere") }),
            h("button", { type: "button", dataset: { action: "use_here" }, text: t("notice.use_here"),
                          onclick: () => this.view.useHere() }))
        : h("div", { class: "notice ended" }, h("a", { class: "button", href: links.waiting, text: t("notice.back_to_waiting") }));
    this.#endedNote = { ended, el };
    return el;
  }

  /** @param {string} text */
  flash(text) {
    // The same words again (a second translation sent) replace the first, never stack.
    for (const old of this.el.querySelectorAll("p.flash")) if (old.textContent === text) old.remove();
    const note = h("p", { class: "flash", role: "alert", text });
    this.el.prepend(note);
    setTimeout(() => note.remove(), 8000);
  }

  /** @param {Notice | undefined} notice */
  noticeText(notice) {
    const t = this.view.t;
    if (!notice) return "";
    if (notice.type === "turn_warning") return t("notice.turn_warning", { seconds: notice.seconds_left });
    const base = t(`notice.${notice.action}`);
    return notice.reason ? `${base} ${t("notice.reason", { reason: notice.reason })}` : base;
  }

  render() {
    const notices = this.view.room.notices.slice(-3).map((n) => h("p", {
      class: `notice ${n.type === "moderation" && n.action ? n.action : n.type}`, role: "status", text: this.noticeText(n) }));
    const flashes = [...this.el.querySelectorAll(".flash")];
    replace(this.el, this.endedNote(), flashes, notices, checkInThread(this.view));
  }

  // A check-in or back-channel message, or a notice: only this seat's own notices are shown.
  /** @param {Change} change */
  update(change) {
    if (change.kind === "message") {
      this.render();
    } else if ((change.kind === "moderation" || change.kind === "turn_warning") && change.mine) {
      this.render();
      this.view.announce(this.noticeText(this.view.room.notices.at(-1)));
    }
  }
}
