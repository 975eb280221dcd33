// @ts-check
// The console's lobby: who waits to be let in (from the session's HTTP API), admitting or
// refusing each, or everyone at once; and who is who: every admitted seat's display name
// beside the name its invitation was made for (facilitators only), and whether they are
// online now (the room's presence). Below, the facilitators' message to everyone waiting:
// shown on their lobby page at once (PUT lobby/message; other consoles hear `lobby_message`).

/** @import { Change, RoomEventType, SeatPublic } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { askReason, h, mustFind, replace } from "../dom.js";

export class LobbyPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["seat_changed", "presence_joined", "presence_left", "lobby_message"];

  ticket = 0;
  /** @type {SeatPublic[]} the seats list as last fetched */
  seats = [];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=lobby]");
    // Two parts, drawn apart: the list redraws often, the message form keeps what is typed.
    this.list = h("div", { class: "lobby-list" });
    this.message = h("div", { class: "lobby-message-editor" });
    replace(this.el, this.list, this.message);
    /** @type {Record<string, HTMLTextAreaElement>} */
    this.fields = {};
  }

  render() {
    // A breakout group's room has no lobby: people come in from the main room.
    this.el.hidden = Boolean(this.view.room.group);
    if (this.el.hidden) return;
    this.drawMessage();
    this.refresh();
  }

  // Presence changes only who is online: drawn again from the list already fetched.
  /** @param {Change} change */
  update(change) {
    if (this.el.hidden) return;
    if (change.kind === "presence") this.draw();
    else if (change.kind === "lobby_message") this.showMessage();
    else this.refresh();
  }

  // The message as people waiting read it, and a field per programme language to change it.
  drawMessage() {
    const t = this.view.t;
    const languages = this.view.languages.length ? this.view.languages : [this.view.lang];
    this.fields = {};
    const fields = languages.map((language) => {
      const id = `lobby-message-${language}`;
      const field = h("textarea", { id, lang: language, rows: 2, maxlength: 1000 });
      this.fields[language] = field;
      return h("div", { class: "field" }, h("label", { for: id, text: this.view.languageName(language) }), field);
    });
    this.current = h("div", { class: "current", "aria-live": "polite" });
    const form = h("form", { class: "lobby-message-form", onsubmit: (/** @type {Event} */ event) => {
      event.preventDefault();
      this.sendMessage();
    } },
    h("p", { class: "muted small", text: t("lobby.message.hint") }), fields,
    h("button", { type: "submit", class: "secondary", text: t("lobby.message.send") }));
    replace(this.message, h("h3", { text: t("lobby.message.title") }), this.current,
      h("details", {}, h("summary", { text: t("lobby.message.edit") }), form));
    this.showMessage();
  }

  // The current message (after an event from another console too); the fields follow it
  // unless someone is typing in them.
  showMessage() {
    if (!this.current) return;
    const texts = this.view.room.session?.lobby_message ?? {};
    replace(this.current, Object.values(texts).some((text) => text.trim())
      ? this.view.text("p", { class: "prewrap" }, texts) : h("p", { class: "muted", text: this.view.t("lobby.message.none") }));
    if (!this.message.contains(document.activeElement)) {
      for (const [language, field] of Object.entries(this.fields)) field.value = texts[language] ?? "";
    }
  }

  async sendMessage() {
    /** @type {Record<string, string>} */
    const lobby_message = {};
    for (const [language, field] of Object.entries(this.fields)) lobby_message[language] = field.value.trim();
    try {
      const texts = /** @type {Record<string, string>} */ (await this.view.api?.("PUT", "lobby/message", { lobby_message }));
      if (this.view.room.session && texts) this.view.room.session.lobby_message = texts;
      /** @type {HTMLElement | null} */ (document.activeElement)?.blur?.();
      this.showMessage();
      this.view.flash(this.view.t("lobby.message.sent"));
    } catch (error) {
      this.view.flash((error instanceof Error && error.message) || this.view.t("error.generic"));
    }
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
    replace(this.list,
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
