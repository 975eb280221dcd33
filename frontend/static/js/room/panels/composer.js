// @ts-check
// The composer: the statement being written (at most the server's max_statement_chars),
// what it replies to, why it is closed when it is, the statements still being sent, and
// asking for a break. An interpreter posts no statements of their own: for them the composer
// is a note that they translate with each statement's "Translate" action.

/** @import { RoomEventType, Statement } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { h, mustFind, replace } from "../dom.js";
import { composerState, isFacilitator } from "../state.js";

export class ComposerPanel {
  // What composerState() reads (it is drawn every second too, for timed mutes).
  /** @type {readonly RoomEventType[]} */
  static events = ["session_status", "agenda_changed", "round_changed", "floor_changed", "seat_changed", "room_settings"];

  /** @type {Statement | null} */
  #replyTo = null;

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=composer]");
    const t = view.t;
    const p = view.idPrefix ?? ""; // two rooms on one page (the main room and a group's): ids of their own
    const textarea = h("textarea", { id: `${p}composer-text`, rows: 3, maxlength: view.maxStatementChars,
                                     "aria-describedby": `${p}composer-reason ${p}composer-count` });
    this.replying = h("p", { class: "replying", dataset: { part: "replying" }, hidden: true });
    this.count = h("span", { id: `${p}composer-count`, class: "muted composer-count", "aria-live": "off" });
    this.reason = h("span", { id: `${p}composer-reason`, class: "reason" });
    this.submit = h("button", { type: "submit", text: t("composer.send") });
    this.pending = h("ul", { class: "pending", dataset: { part: "pending" }, "aria-label": t("composer.pending") });
    const form = h("form", { class: "composer" },
      this.replying,
      h("label", { for: `${p}composer-text`, class: "visually-hidden", text: t("composer.label") }),
      textarea,
      h("div", { class: "composer-row" }, this.count, this.reason, this.submit),
      this.pending);
    this.textarea = textarea;
    textarea.addEventListener("input", () => this.renderCount());
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = textarea.value.trim();
      if (!text || !composerState(view.room).enabled) return;
      view.connection.say(text, this.#replyTo ? { replyTo: this.#replyTo.id } : {});
      textarea.value = "";
      this.#replyTo = null;
      this.render();
    });
    this.form = form;
    this.interpreterNote = h("p", { class: "interpreter-note", dataset: { part: "interpreter-note" }, hidden: true,
                                    text: t("composer.interpreter_note") });
    replace(this.el, this.interpreterNote, form);
    this.breakButton = h("button", { dataset: { action: "break_request" }, type: "button", class: "secondary", text: t("break.ask"),
                                     onclick: async () => { if (await view.run("break_request")) view.flash(t("break.sent")); } });
    this.el.append(h("div", { class: "composer-extra" }, this.breakButton));
  }

  /** @param {Statement} statement */
  replyTo(statement) {
    this.#replyTo = statement;
    this.render();
    this.textarea.focus();
  }

  renderCount() {
    const max = this.view.maxStatementChars;
    const length = this.textarea.value.length;
    this.count.textContent = this.view.t("composer.count", { count: length, max });
    this.count.classList.toggle("warn", max - length < 100);
  }

  render() {
    const t = this.view.t;
    const state = composerState(this.view.room);
    const interpreter = this.view.room.you?.role === "interpreter";
    this.form.hidden = interpreter;
    this.interpreterNote.hidden = !interpreter;
    this.textarea.disabled = !state.enabled;
    this.submit.disabled = !state.enabled;
    // Offline is fine: what is typed now is kept and sent when the connection returns.
    const until = state.until ? new Date(state.until).toLocaleTimeString(this.view.lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }) : "";
    const text = state.reason ? t(state.reason, { place: state.place ?? 0, time: until }) : "";
    if (this.reason.textContent !== text) this.reason.textContent = text;
    this.reason.classList.toggle("blocked", !state.enabled);
    const replyTo = this.#replyTo;
    this.replying.hidden = !replyTo;
    if (replyTo) {
      replace(this.replying, t("statement.replying_to", { name: replyTo.author }), " ",
        h("button", { type: "button", class: "link-button", text: t("action.cancel"),
                      onclick: () => { this.#replyTo = null; this.render(); } }));
    }
    this.breakButton.hidden = isFacilitator(this.view.room.you?.role);
    const items = this.view.connection.pending.map((p) => h("li", { class: "pending-item" }, h("span", { text: p.text }), " ",
      h("span", { class: "muted", text: t("composer.sending") })));
    if (this.pending.childElementCount !== items.length) replace(this.pending, items);
    this.renderCount();
  }

  tick() { this.render(); }
}
