// @ts-check
// Notices to this person: short-lived flashes (errors, confirmations), the last moderation
// notices and turn warnings, and a participant's check-in thread.

/** @import { Change, Notice, RoomEventType } from "../types.js" */
/** @import { RoomView } from "../view.js" */

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

  /** @param {string} text */
  flash(text) {
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
    replace(this.el, flashes, notices, checkInThread(this.view));
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
