// @ts-check
// The console's lobby: who waits to be let in (from the session's HTTP API), admitting or
// refusing each, or everyone at once.

/** @import { RoomEventType, SeatPublic } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { askReason, h, mustFind, replace } from "../dom.js";

export class LobbyPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["seat_changed"];

  ticket = 0;

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=lobby]");
  }

  render() { this.refresh(); }

  async refresh() {
    const t = this.view.t;
    const api = this.view.api;
    if (!api) return;
    // Several refreshes can be in flight (an admission and its event): only the newest may
    // draw, or a slower, older answer would show someone still waiting.
    const ticket = (this.ticket += 1);
    let seats;
    try {
      seats = /** @type {SeatPublic[]} */ (await api("GET", "seats"));
    } catch {
      return;
    }
    if (ticket !== this.ticket) return;
    const waiting = seats.filter((s) => s.status === "lobby");
    const name = (/** @type {SeatPublic} */ seat) => this.view.nameLabel(seat.display_name);
    replace(this.el,
      h("h2", { text: t("lobby.title", { count: waiting.length }) }),
      waiting.length ? h("ul", {}, waiting.map((seat) => h("li", {},
        h("span", { text: name(seat) }), " ",
        seat.community ? h("span", { class: "badge community", dataset: { community: seat.community }, text: this.view.communityLabel(seat.community) }) : null,
        seat.role !== "participant" ? h("span", { class: `badge ${seat.role}`, text: t(`role.${seat.role}`) }) : null,
        h("button", { type: "button", dataset: { action: "admit", seat: seat.id }, text: t("lobby.admit"), "aria-label": `${t("lobby.admit")}: ${name(seat)}`,
                      onclick: () => this.decide(`seats/${seat.id}/admit`) }),
        h("button", { type: "button", class: "link-button", text: t("lobby.refuse"), "aria-label": `${t("lobby.refuse")}: ${name(seat)}`,
                      onclick: async () => {
                        const reason = await askReason(t, "lobby.refuse");
                        if (reason) await this.decide(`seats/${seat.id}/refuse`, { reason });
                      } })))) : h("p", { class: "muted", text: t("lobby.empty") }),
      waiting.length > 1 ? h("button", { type: "button", class: "secondary", text: t("lobby.admit_all"), onclick: () => this.decide("lobby/admit-all") }) : null);
  }

  /**
   * @param {string} path
   * @param {object} [body]
   */
  async decide(path, body = {}) {
    try {
      await this.view.api?.("POST", path, body);
    } catch (error) {
      this.view.flash((error instanceof Error && error.message) || this.view.t("error.generic"));
    }
    this.refresh();
  }
}
