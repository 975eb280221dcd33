// @ts-check
// The console's alerts (break requests, reports, an item's time up), newest first, and the
// audit log of facilitators' actions, shown on request.

/** @import { Alert, AuditEntry, Change, RoomEventType } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { h, mustFind, replace } from "../dom.js";

export class AlertsPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["break_requested", "report_made", "time_up"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=alerts]");
    this.audit = mustFind(view.root, "[data-part=audit]");
  }

  /** @param {Alert} alert */
  alertText(alert) {
    const { t, room } = this.view;
    if (alert.type === "break_requested") return t("alert.break", { name: this.view.seatName(alert.seat_id) });
    if (alert.type === "report_made") return t("alert.report", { name: this.view.seatName(alert.seat_id), reason: alert.reason || "—" });
    // The event names the item; its title is the agenda's, in the reader's language.
    if (alert.type === "time_up") {
      const title = this.view.pick(room.agendaItems.get(alert.item_id)?.title).text;
      return title ? t("alert.time_up", { title }) : t("alert.time_up_item");
    }
    return "";
  }

  render() {
    const t = this.view.t;
    const alerts = this.view.room.alerts.slice(-20).reverse();
    replace(this.el, h("h2", { text: t("alert.title", { count: alerts.length }) }),
      alerts.length ? h("ul", {}, alerts.map((a) => h("li", { class: `alert ${a.type}` }, this.alertText(a),
        "statement_id" in a && a.statement_id ? [" ", h("a", { href: `#statement-${a.statement_id}`, text: t("alert.show") })] : null)))
        : h("p", { class: "muted", text: t("alert.none") }),
      h("button", { type: "button", class: "link-button", text: t("audit.show"), onclick: () => this.showAudit() }));
  }

  /** @param {Change} change */
  update(change) {
    this.render();
    if (change.kind === "alert") this.view.announce(this.alertText(change.alert));
  }

  async showAudit() {
    const t = this.view.t;
    /** @type {AuditEntry[]} */
    let entries = [];
    try {
      entries = /** @type {AuditEntry[]} */ (await this.view.api?.("GET", "audit")) ?? [];
    } catch (error) {
      return this.view.flash((error instanceof Error && error.message) || t("error.generic"));
    }
    replace(this.audit, h("h2", { text: t("audit.title") }),
      h("ol", { class: "audit" }, entries.slice(-50).reverse().map((e) => h("li", {},
        h("time", { datetime: e.at, text: new Date(e.at).toLocaleTimeString() }), " ",
        h("strong", { text: this.view.nameLabel(e.actor) }), " ", t(`audit.${e.action}`) === `audit.${e.action}` ? e.action : t(`audit.${e.action}`),
        e.target ? ` → ${this.view.nameLabel(e.target)}` : "", e.reason ? ` (${e.reason})` : ""))));
    this.audit.hidden = false;
    this.audit.focus();
  }
}
