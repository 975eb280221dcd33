// @ts-check
// The console's balance between communities: turns and words, in the session and in the
// current item (the `balance` command), fetched again shortly after statements and moves.

/** @import { BalanceResult, Change, RoomEventType, Tally } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { h, mustFind, replace } from "../dom.js";

export class BalancePanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["statement", "statement_changed", "agenda_changed"];

  /** @type {number | undefined} */
  due = undefined;

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=balance]");
  }

  render() {
    if (!this.el.childElementCount) {
      replace(this.el, h("h2", { text: this.view.t("balance.title") }), h("p", { class: "muted", text: "…" }));
    }
    this.refresh();
  }

  /** @param {Change} change */
  update(change) {
    if (change.kind !== "none") this.refresh(); // a statement event without its statement changes nothing
  }

  refresh() {
    clearTimeout(this.due);
    this.due = setTimeout(async () => {
      if (this.view.connection.state !== "open") return;
      const balance = await this.view.run("balance");
      if (balance) this.draw(balance);
    }, 400);
  }

  /** @param {BalanceResult} balance */
  draw(balance) {
    const t = this.view.t;
    /**
     * @param {string} title
     * @param {Tally | null} part
     */
    const table = (title, part) => part ? h("table", { class: "balance" },
      h("caption", { text: title }),
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("balance.community") }), h("th", { scope: "col", text: t("balance.turns") }),
                                 h("th", { scope: "col", text: t("balance.words") }))),
      h("tbody", {}, part.communities.map((c) => h("tr", {},
        h("th", { scope: "row", text: this.view.communityLabel(c.key) }),
        h("td", {}, `${c.turns} · ${Math.round(c.turn_share * 100)}%`, h("meter", { min: 0, max: 1, value: c.turn_share, "aria-hidden": "true" })),
        h("td", {}, `${c.words} · ${Math.round(c.word_share * 100)}%`, h("meter", { min: 0, max: 1, value: c.word_share, "aria-hidden": "true" })))))) : null;
    replace(this.el, h("h2", { text: t("balance.title") }), table(t("balance.session"), balance.session),
      table(t("balance.item"), balance.item));
  }
}
