// @ts-check
// The floor in a queued session: who holds it and until when, the queue, and raising or
// lowering one's hand.

/** @import { Change, RoomEventType } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { h, mustFind, replace } from "../dom.js";
import { isFacilitator } from "../state.js";
import { showCountdowns } from "./countdown.js";

export class FloorPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["floor_changed"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=floor]");
  }

  render() {
    const { t, room } = this.view;
    if (room.session?.speaking_mode !== "queued") { this.el.hidden = true; return; }
    this.el.hidden = false;
    const floor = room.floor;
    const you = room.you;
    const participant = you && !isFacilitator(you.role) && you.role !== "observer";
    replace(this.el,
      h("h2", { text: t("floor.title") }),
      h("p", {}, floor.seat_id ? t("floor.held_by", { name: this.view.seatName(floor.seat_id) }) : t("floor.open"),
        floor.ends_at ? [" · ", h("span", { dataset: { endsAt: floor.ends_at } })] : null),
      floor.queue.length
        ? h("ol", { class: "queue", "aria-label": t("floor.queue") }, floor.queue.map((id) => h("li", { text: this.view.seatName(id) })))
        : h("p", { class: "muted", text: t("floor.queue_empty") }),
      participant && floor.seat_id !== you.seat_id
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
