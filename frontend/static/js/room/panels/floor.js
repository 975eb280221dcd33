// @ts-check
// The floor: who holds it and until when, the queue (with one's own place), raising or
// lowering one's hand (in an open room too: a request to be heard), and "I'm done" for the
// holder. The console adds its controls (console.js: controls.floor), the mode switch among them.

/** @import { Change, RoomEventType } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { h, mustFind, replace } from "../dom.js";
import { isFacilitator } from "../state.js";
import { showCountdowns } from "./countdown.js";

export class FloorPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["floor_changed", "room_settings"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=floor]");
  }

  render() {
    const { t, room } = this.view;
    const queued = room.session?.speaking_mode === "queued";
    const floor = room.floor;
    const you = room.you;
    const participant = you && !isFacilitator(you.role) && you.role !== "observer" && you.role !== "interpreter";
    // An open room shows the floor only when there is something to show or do.
    if (!queued && !participant && !this.view.facilitator) { this.el.hidden = true; return; }
    this.el.hidden = false;
    const holding = !!you && floor.seat_id === you.seat_id;
    const place = you ? floor.queue.indexOf(you.seat_id) + 1 : 0;
    replace(this.el,
      h("h2", { text: t(queued ? "floor.title" : "floor.title_open") }),
      queued || floor.seat_id
        ? h("p", {}, floor.seat_id ? t("floor.held_by", { name: this.view.seatName(floor.seat_id) }) : t("floor.open"),
          floor.ends_at ? [" · ", h("span", { dataset: { endsAt: floor.ends_at } })] : null)
        : h("p", { class: "muted", text: t("floor.open_mode") }),
      floor.queue.length
        ? h("ol", { class: "queue", "aria-label": t("floor.queue") }, floor.queue.map((id) => h("li", { text: this.view.seatName(id) })))
        : h("p", { class: "muted", text: t("floor.queue_empty") }),
      participant && place ? h("p", { class: "your-place", dataset: { part: "queue-place" }, text: t("floor.your_place", { place }) }) : null,
      participant && holding
        ? h("button", { type: "button", dataset: { action: "floor_done" }, text: t("floor.done"), onclick: () => this.view.run("floor_done") })
        : null,
      participant && !holding
        ? (you.hand_raised
          ? h("button", { dataset: { action: "hand_lower" }, type: "button", class: "secondary", text: t("floor.lower"), onclick: () => this.view.run("hand_lower") })
          : h("button", { type: "button", dataset: { action: "hand_raise" }, text: t("floor.raise"), onclick: () => this.view.run("hand_raise") }))
        : null,
      this.view.controls.floor?.());
    this.tick();
  }

  /** @param {Change} change */
  update(change) {
    this.render();
    if (change.kind === "floor" && change.action === "given" && change.seat_id === this.view.room.you?.seat_id) {
      this.view.announce(this.view.t("announce.your_floor"));
    }
  }

  tick() { showCountdowns(this.el); }
}
