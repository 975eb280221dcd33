// @ts-check
// The go-around round: its prompt (in the reader's language), the turn's clock, each turn's
// outcome, and the current speaker's buttons (done, pass, pass for now).

/** @import { Change, RoomEventType } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { append, clear, h, mustFind, replace } from "../dom.js";
import { showCountdowns } from "./countdown.js";

export class RoundPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["round_changed"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=round]");
  }

  render() {
    const { t, room } = this.view;
    const round = room.round;
    if (!round) { clear(this.el); this.el.hidden = true; return; }
    this.el.hidden = false;
    const you = room.you?.seat_id;
    const turns = h("ol", { class: "turns" }, round.turns.map((turn) => h("li", {
      class: `turn ${turn.outcome}${turn.seat_id === round.current_seat_id ? " current" : ""}`,
      "aria-current": turn.seat_id === round.current_seat_id ? "true" : null,
    }, h("span", { text: this.view.seatName(turn.seat_id) }), " ",
       h("span", { class: "outcome", text: turn.seat_id === round.current_seat_id ? t("round.speaking") : t(`outcome.${turn.outcome}`) }))));
    const mine = round.current_seat_id === you;
    replace(this.el,
      h("h2", { text: t("round.title", { n: round.number }) }),
      this.view.pick(round.prompt).text ? this.view.text("p", { class: "prompt" }, round.prompt) : null,
      round.turn_ends_at ? h("p", { class: "clock" }, t("round.turn_left"), " ", h("span", { dataset: { endsAt: round.turn_ends_at } })) : null,
      turns,
      mine ? h("div", { class: "actions", role: "group", "aria-label": t("round.your_turn") },
        h("button", { dataset: { action: "round_done" }, type: "button", text: t("round.done"), onclick: () => this.view.run("round_done", { round_id: round.id }) }),
        h("button", { type: "button", class: "secondary", dataset: { action: "round_pass" }, text: t("round.pass"), onclick: () => this.view.run("round_pass", { round_id: round.id }) }),
        h("button", { dataset: { action: "round_pass" }, type: "button", class: "secondary", text: t("round.pass_for_now"),
                      onclick: () => this.view.run("round_pass", { round_id: round.id, for_now: true }) })) : null);
    this.tick();
    if (this.view.facilitator) append(this.el, this.view.controls.round?.(round));
  }

  /** @param {Change} change */
  update(change) {
    this.render();
    const you = this.view.room.you?.seat_id;
    if (change.kind === "round" && change.round?.current_seat_id === you && change.round.status === "active") {
      this.view.announce(this.view.t("announce.your_turn"));
    }
  }

  tick() { showCountdowns(this.el); }
}
