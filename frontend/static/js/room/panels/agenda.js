// @ts-check
// The current agenda item: its place in the agenda, kind, title, prompt and clock. The title
// and prompt are the facilitators' words, in the reader's language (view.text()).

/** @import { Change, RoomEventType } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { h, mustFind, replace } from "../dom.js";
import { formatClock, secondsUntil } from "../state.js";

export class AgendaPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["agenda_changed"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=agenda]");
  }

  render() {
    const t = this.view.t;
    // A breakout group's room (a facilitator's console of it) has no agenda of its own.
    this.el.hidden = Boolean(this.view.room.group);
    const agenda = this.view.room.agenda;
    const item = agenda?.item;
    if (!agenda || !item) {
      replace(this.el, h("p", { class: "muted", text: t("agenda.not_started") }));
      return;
    }
    replace(this.el,
      h("p", { class: "eyebrow", text: t("agenda.item_of", { n: item.position + 1, count: agenda.count }) + " · " + t(`kind.${item.kind}`) }),
      this.view.text("h2", {}, item.title),
      this.view.pick(item.prompt).text ? this.view.text("p", { class: "prompt" }, item.prompt) : null,
      h("p", { class: "clock", dataset: { part: "clock" } }));
    this.tick();
  }

  /** @param {Change} change */
  update(change) {
    this.render();
    // Its clock stopping or running again is heard with the session's status, not as a new item.
    if (change.kind === "agenda" && (change.action === "pause" || change.action === "resume")) return;
    this.view.announce(this.view.t("announce.agenda", { title: this.view.pick(this.view.room.agenda?.item?.title).text }));
  }

  // The item's clock.
  tick() {
    const clock = this.el.querySelector("[data-part=clock]");
    const agenda = this.view.room.agenda;
    if (clock && agenda?.item) {
      const left = agenda.running ? secondsUntil(agenda.ends_at) : Math.max(0, Math.round(agenda.remaining_seconds ?? 0));
      clock.textContent = agenda.running
        ? this.view.t("agenda.time_left", { time: formatClock(left) })
        : this.view.t("agenda.paused", { time: formatClock(left) });
      clock.classList.toggle("over", agenda.running && left === 0);
    }
  }
}
