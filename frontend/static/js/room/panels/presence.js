// @ts-check
// Who is in the room: names, facilitator, interpreter, observer and community badges; for facilitators only, who
// is muted (the console adds each seat's moderation controls).

/** @import { RoomEventType } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { h, mustFind, replace } from "../dom.js";
import { isFacilitator } from "../state.js";

export class PresencePanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["presence_joined", "presence_left", "seat_changed"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=present]");
  }

  render() {
    const { t, room } = this.view;
    const seats = [...room.present.values()];
    replace(this.el,
      h("h2", { text: t("present.title", { count: seats.length }) }),
      h("ul", {}, seats.map((seat) => h("li", {},
        h("span", { text: this.view.nameLabel(seat.display_name) }),
        isFacilitator(seat.role) ? h("span", { class: "badge facilitator", text: t("role.facilitator") }) : null,
        seat.role === "interpreter" || seat.role === "observer"
          ? h("span", { class: `badge ${seat.role}`, text: t(`role.${seat.role}`) }) : null,
        room.session?.show_communities && seat.community
          ? h("span", { class: "badge community", dataset: { community: seat.community }, text: this.view.communityLabel(seat.community) }) : null,
        // A mute is between the person and the facilitators: nobody else sees a badge for it.
        this.view.facilitator && room.muted.has(seat.seat_id) ? h("span", { class: "badge muted-badge", text: t("present.muted") }) : null,
        this.view.controls.seat?.(seat)))));
  }
}
