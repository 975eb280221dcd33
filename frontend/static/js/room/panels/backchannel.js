// @ts-check
// The console's back-channel: facilitators' words among themselves, never shown to
// participants, never in a transcript. Check-ins with a participant are their own panels
// (checkins.js).

/** @import { RoomEventType } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { h, mustFind, replace } from "../dom.js";

export class BackchannelPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["private_message"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=backchannel]");
  }

  render() {
    const { t, room } = this.view;
    const messages = room.messages.filter((m) => m.channel !== "check_in");
    const input = h("input", { type: "text", maxlength: this.view.maxStatementChars, "aria-label": t("backchannel.message") });
    const form = h("form", { class: "inline-form" }, input, h("button", { type: "submit", text: t("backchannel.send") }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (text && await this.view.run("backchannel", { text })) input.value = "";
    });
    replace(this.el,
      h("h2", { text: t("backchannel.title") }),
      h("p", { class: "muted", text: t("backchannel.note") }),
      h("ul", { class: "messages" }, messages.map((m) => h("li", { class: m.channel },
        h("strong", { text: this.view.nameLabel(m.author) }), " ", m.text))),
      form);
  }
}
