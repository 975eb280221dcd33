// @ts-check
// The console's alerts (break requests, reports, an item's time up, a participant's private
// check-in, and from a breakout group a break asked for or a statement reported there, with a
// link to visit the group), oldest first, each listed until a facilitator marks it done (`alert_done`, seen
// by every console); counters by kind in the console's header, a short sound for a new one
// (a toggle, on by default, kept in this browser); and the audit log of facilitators'
// actions, shown on request.

/** @import { Alert, AuditEntry, Change, RoomEventType } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { chime } from "../sound.js";
import { h, mayFind, mustFind, replace } from "../dom.js";
import { isFacilitator } from "../state.js";
import { groupAlertLink, groupAlertText } from "./groups.js";

/** The kinds counted in the header, in order. */
export const ALERT_KINDS = /** @type {const} */ (["report_made", "break_requested", "private_message", "time_up"]);

/**
 * The kind an alert counts as: a group's alert as the kind it is (a break, a report).
 * @param {{type: string, kind?: string}} alert
 */
export function alertKind(alert) {
  return alert.type === "group_alert" && alert.kind ? alert.kind : alert.type;
}

/**
 * How many open alerts of each kind (a group's break request or report among the others).
 * @param {readonly {type: string, kind?: string}[]} alerts
 * @returns {Record<string, number>}
 */
export function alertCounts(alerts) {
  /** @type {Record<string, number>} */
  const counts = Object.fromEntries(ALERT_KINDS.map((kind) => [kind, 0]));
  for (const alert of alerts) {
    const kind = alertKind(alert);
    if (kind in counts) counts[kind] += 1;
  }
  return counts;
}

/**
 * Whether a new alert should make a sound: it is new (not one replayed when the console
 * connects), and the facilitator has not turned the sound off.
 * @param {{at?: string}} alert
 * @param {number} now ms
 * @param {boolean} soundOn
 */
export function shouldChime(alert, now, soundOn) {
  if (!soundOn || !alert.at) return false;
  const at = Date.parse(alert.at);
  return Number.isFinite(at) && now - at < 30000;
}

const SOUND_KEY = "roundtable.console.alert_sound";

export class AlertsPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["break_requested", "report_made", "time_up", "private_message", "alert_done", "group_alert"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=alerts]");
    this.audit = mustFind(view.root, "[data-part=audit]");
    this.counters = mayFind(document, "[data-part=alert-counters]");
  }

  get soundOn() {
    try { return globalThis.localStorage?.getItem(SOUND_KEY) !== "off"; } catch { return true; }
  }

  set soundOn(on) {
    try { globalThis.localStorage?.setItem(SOUND_KEY, on ? "on" : "off"); } catch { /* private mode: this page only */ }
  }

  /** @param {Alert} alert */
  alertText(alert) {
    const { t, room } = this.view;
    if (alert.type === "break_requested") return t("alert.break", { name: this.view.seatName(alert.seat_id) });
    if (alert.type === "report_made") return t("alert.report", { name: this.view.seatName(alert.seat_id), reason: alert.reason || "—" });
    if (alert.type === "private_message") return t("alert.check_in", { name: this.view.seatName(alert.about_seat_id) });
    if (alert.type === "group_alert") return groupAlertText(this.view, alert);
    // The event names the item; its title is the agenda's, in the reader's language.
    if (alert.type === "time_up") {
      const title = this.view.pick(room.agendaItems.get(alert.item_id)?.title).text;
      return title ? t("alert.time_up", { title }) : t("alert.time_up_item");
    }
    return "";
  }

  /** @param {Alert} alert a link to what it is about, if anything */
  alertLink(alert) {
    const t = this.view.t;
    if ("statement_id" in alert && alert.statement_id) return h("a", { href: `#statement-${alert.statement_id}`, text: t("alert.show") });
    if (alert.type === "group_alert") return groupAlertLink(this.view, alert);
    if (alert.type === "private_message" && alert.about_seat_id != null) {
      return h("a", { href: `#check-in-${alert.about_seat_id}`, text: t("alert.answer") });
    }
    return null;
  }

  render() {
    const t = this.view.t;
    const alerts = this.view.room.alerts;
    const sound = h("input", { type: "checkbox", id: "alert-sound", checked: this.soundOn });
    sound.addEventListener("change", () => { this.soundOn = sound.checked; });
    replace(this.el, h("h2", { text: t("alert.title", { count: alerts.length }) }),
      alerts.length ? h("ul", {}, alerts.map((a) => h("li", { class: `alert ${alertKind(a)}`, dataset: { seq: a.seq } },
        h("span", { text: this.alertText(a) }),
        " ", this.alertLink(a),
        " ", h("button", { type: "button", class: "link-button", dataset: { action: "alert_done" },
                           "aria-label": `${t("alert.done")}: ${this.alertText(a)}`, text: t("alert.done"),
                           onclick: () => this.view.run("alert_done", { alert_seq: a.seq }) }))))
        : h("p", { class: "muted", text: t("alert.none") }),
      h("p", { class: "small" }, h("label", { for: "alert-sound" }, sound, " ", t("alert.sound"))),
      h("button", { type: "button", class: "link-button", text: t("audit.show"), onclick: () => this.showAudit() }));
    this.renderCounters();
  }

  // The header's counters: one badge per kind with open alerts, a link to the list.
  renderCounters() {
    if (!this.counters) return;
    const t = this.view.t;
    const counts = alertCounts(this.view.room.alerts);
    const shown = ALERT_KINDS.filter((kind) => counts[kind] > 0);
    this.counters.hidden = !shown.length;
    // The link's name is its visible text (WCAG 2.5.3), led by a heading for screen readers.
    replace(this.counters,
      h("span", { class: "visually-hidden", text: `${t("alert.title", { count: this.view.room.alerts.length })}: ` }),
      ...shown.map((kind) => h("span", { class: `counter ${kind}`, dataset: { kind } },
        t(`alert.kind.${kind}`), " ", h("span", { class: "count", text: counts[kind] }))));
  }

  /**
   * @param {Change} change
   */
  update(change) {
    this.render();
    if (change.kind !== "alert") return;
    const alert = change.alert;
    if (alert.type === "private_message" && isFacilitator(alert.message?.role)) return;
    this.view.announce(this.alertText(alert));
    if (shouldChime(alert, Date.now(), this.soundOn)) this.chime();
  }

  chime() { chime(); }

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
