// @ts-check
// The console's session controls: start, pause, resume and end the session; run the agenda
// (back, next, the item's clock, more time); slow mode and the lock; start a round. Ending
// the session stands apart, after the everyday controls, behind a confirmation; a control
// that makes no sense now is disabled and says why (disabledWhy()).

/** @import { CommandFields, RoomCommandType, RoomEventType } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { ask, confirmAction, h, mustFind, replace } from "../dom.js";

export class SessionPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["session_status", "agenda_changed", "room_settings", "round_changed"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=session-controls]");
  }

  render() {
    const { t, room } = this.view;
    const status = room.session?.status;
    const item = room.agenda?.item ?? null;
    const current = item ? item.id : null;
    /**
     * @template {RoomCommandType} T
     * @param {string} key
     * @param {T} type
     * @param {CommandFields[T]} [fields]
     */
    const button = (key, type, fields, cls = "") => h("button", { type: "button", class: cls, dataset: { action: type }, text: t(key),
                                                                   onclick: () => this.view.run(type, fields) });
    const session = h("div", { class: "actions", role: "group", "aria-label": t("console.session") },
      status === "open" ? button("console.start", "session_start") : null,
      status === "live" ? h("button", { type: "button", class: "secondary", dataset: { action: "session_pause" }, text: t("console.pause"), onclick: async () => {
        const reason = await ask({ title: t("console.pause"), label: t("console.pause_reason"), submit: t("console.pause"),
                                   cancel: t("action.cancel"), required: false });
        if (reason !== null) await this.view.run("session_pause", { reason: reason || null });
      } }) : null,
      status === "paused" ? button("console.resume", "session_resume") : null);
    const ending = status === "live" || status === "paused" ? h("div", { class: "actions ending", role: "group", "aria-label": t("console.ending") },
      h("button", { dataset: { action: "session_end" }, type: "button", class: "danger", text: t("console.end"), onclick: async () => {
        const sure = await confirmAction({ title: t("console.end"), text: t("console.end_confirm"), submit: t("console.end"),
                                           cancel: t("action.cancel") });
        if (sure) await this.view.run("session_end");
      } })) : null;
    const running = room.agenda?.running;
    const agenda = status === "live" || status === "paused" ? h("div", { class: "actions", role: "group", "aria-label": t("console.agenda") },
      this.#maybe(button("console.back", "agenda_back", { current_item_id: current }, "secondary"),
                  !item || item.position === 0 ? "console.why.no_previous" : null),
      button(current ? "console.next" : "console.first", "agenda_next", { current_item_id: current }),
      item ? button(running ? "console.pause_clock" : "console.resume_clock", running ? "agenda_pause" : "agenda_resume", { item_id: item.id }, "secondary") : null,
      item ? button("console.extend", "agenda_extend", { item_id: item.id, minutes: 5 }, "secondary") : null) : null;
    const select = h("select", { "aria-label": t("console.slow_mode") }, [0, 10, 30, 60, 120].map((s) =>
      h("option", { value: s, selected: s === room.slowModeSeconds, text: s ? t("console.seconds", { count: s }) : t("console.off") })));
    select.addEventListener("change", () => this.view.run("slow_mode", { seconds: Number(select.value) }));
    const settings = h("div", { class: "actions settings" },
      h("label", {}, t("console.slow_mode"), " ", select),
      h("button", { type: "button", class: "secondary", dataset: { action: "lock" }, "aria-pressed": String(room.locked),
                    text: room.locked ? t("console.unlock") : t("console.lock"),
                    onclick: () => this.view.run("lock", { locked: !room.locked }) }));
    const roundWhy = room.round ? "console.why.round_running" : status !== "live" ? "console.why.not_live" : null;
    if (room.group) {
      // A breakout group's room: the session, its agenda and admissions are the main room's.
      settings.querySelector("button[data-action=lock]")?.remove();
      replace(this.el, settings, h("div", { class: "actions" }, this.#maybe(button("console.start_round", "round_start", {}, "secondary"), roundWhy)));
      return;
    }
    replace(this.el, session, agenda, settings,
      h("div", { class: "actions" },
        this.#maybe(button("console.start_round", "round_start", {}, "secondary"), roundWhy)),
      ending);
  }

  /**
   * A control, disabled with the reason beside it (and as its description) when `why` is a key.
   * @param {HTMLButtonElement} control
   * @param {string | null} why
   */
  #maybe(control, why) {
    if (!why) return control;
    const id = `why-${control.dataset.action}`;
    control.disabled = true;
    control.setAttribute("aria-describedby", id);
    return h("span", { class: "disabled-control" }, control, " ", h("span", { class: "muted small why", id, text: this.view.t(why) }));
  }
}
