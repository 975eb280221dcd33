// @ts-check
// The console's lobby: who waits to be let in (from the session's HTTP API), admitting or
// refusing each, or everyone at once; and who is who: every admitted seat's display name
// beside the name its invitation was made for (facilitators only), and whether they are
// online now (the room's presence).

/** @import { Change, RoomEventType, SeatPublic } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { askReason, h, mustFind, replace } from "../dom.js";

export class LobbyPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["seat_changed", "presence_joined", "presence_left"];

  ticket = 0;
  /** @type {SeatPublic[]} the seats list as last fetched */
  seats = [];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=lobby]");
  }

  render() { this.refresh(); }

  // Presence changes only who is online: drawn again from the list already fetched.
  /** @param {Change} change */
  update(change) {
    if (change.kind === "presence") this.draw();
    else this.refresh();
  }

  async refresh() {
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
    this.seats = seats;
    this.draw();
  }

  draw() {
    const t = this.view.t;
    const seats = this.seats;
    const waiting = seats.filter((s) => s.status === "lobby");
    const admitted = seats.filter((s) => s.status === "admitted" && s.role !== "facilitator");
    const name = (/** @type {SeatPublic} */ seat) => this.view.nameLabel(seat.display_name);
    const invitedAs = (/** @type {SeatPublic} */ seat) => seat.invited_as
      ? h("span", { class: "muted small invited-as", text: t("lobby.invited_as", { name: seat.invited_as }) }) : null;
    const badges = (/** @type {SeatPublic} */ seat) => [
      seat.community ? h("span", { class: "badge community", dataset: { community: seat.community }, text: this.view.communityLabel(seat.community) }) : null,
      seat.role !== "participant" ? h("span", { class: `badge ${seat.role}`, text: t(`role.${seat.role}`) }) : null];
    const online = (/** @type {SeatPublic} */ seat) => {
      const here = this.view.room.present.has(seat.id);
      return h("span", { class: `online ${here ? "here" : "away"}`, text: here ? t("lobby.online") : t("lobby.offline") });
    };
    replace(this.el,
      h("h2", { text: t("lobby.title", { count: waiting.length }) }),
      waiting.length ? h("ul", {}, waiting.map((seat) => h("li", {},
        h("span", { text: name(seat) }), " ", invitedAs(seat), " ", badges(seat),
        h("button", { type: "button", dataset: { action: "admit", seat: seat.id }, text: t("lobby.admit"), "aria-label": `${t("lobby.admit")}: ${name(seat)}`,
                      onclick: () => this.decide(`seats/${seat.id}/admit`) }),
        h("button", { type: "button", class: "link-button", text: t("lobby.refuse"), "aria-label": `${t("lobby.refuse")}: ${name(seat)}`,
                      onclick: async () => {
                        const reason = await askReason(t, "lobby.refuse");
                        if (reason) await this.decide(`seats/${seat.id}/refuse`, { reason });
                      } })))) : h("p", { class: "muted", text: t("lobby.empty") }),
      waiting.length > 1 ? h("button", { type: "button", class: "secondary", text: t("lobby.admit_all"), onclick: () => this.decide("lobby/admit-all") }) : null,
      admitted.length ? [h("h3", { text: t("lobby.who_is_who") }),
        h("ul", { class: "who-is-who" }, admitted.map((seat) => h("li", { dataset: { seat: seat.id } },
          online(seat), " ", h("span", { text: name(seat) }), " ", invitedAs(seat), " ", badges(seat))))] : null);
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
