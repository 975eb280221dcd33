// @ts-check
// "Your turn" cannot be missed: when the floor or a round's turn comes to this person, a banner
// stays at the bottom of the screen, whatever the scroll position, with the turn's buttons
// (write, I'm done / done, pass, pass for now) and the time left. A short sound and a vibration
// when they turned them on (and the browser allows), a browser notification when they asked
// for one and the page is in the background; and the tab's title tells, in the background,
// how many statements came and that it is their turn.

/** @import { Change, RoomEventType } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { h, mustFind, replace } from "../dom.js";
import { chime } from "../sound.js";
import { isFacilitator } from "../state.js";
import { showCountdowns } from "./countdown.js";

const PREFERENCE = "roundtable.turn_alerts"; // "sound", "notify" (comma-separated), set only when chosen

/**
 * Whose turn it is, as this person sees it: theirs in a round, theirs on the floor, or nothing.
 * @param {import("../types.js").Room} room
 * @returns {{kind: "round", roundId: number, endsAt: string | null} | {kind: "floor", endsAt: string | null} | null}
 */
export function yourTurn(room) {
  const you = room.you;
  const status = room.session?.status;
  if (!you || isFacilitator(you.role) || status !== "live") return null;
  if (room.round && room.round.status === "active" && room.round.current_seat_id === you.seat_id) {
    return { kind: "round", roundId: room.round.id, endsAt: room.round.turn_ends_at ?? null };
  }
  if (room.floor?.seat_id === you.seat_id) return { kind: "floor", endsAt: room.floor.ends_at ?? null };
  return null;
}

/**
 * The tab's title: the page's own, led by "Your turn" and the count of unread statements.
 * @param {string} base
 * @param {number} unread
 * @param {string | null} turn the words for "your turn", when it is
 */
export function tabTitle(base, unread, turn) {
  return [turn, unread > 0 ? `(${unread})` : null, base].filter(Boolean).join(" ");
}

export class TurnPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["statement", "round_changed", "floor_changed", "session_status", "agenda_changed"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=turn]");
    this.settings = view.root.querySelector("[data-part=turn-settings]");
    this.baseTitle = document.title;
    this.unread = 0;
    this.wasYours = false;
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.unread = 0;
      this.showTitle();
    });
  }

  /** @returns {Set<string>} */
  get chosen() {
    try { return new Set((globalThis.localStorage?.getItem(PREFERENCE) ?? "").split(",").filter(Boolean)); } catch { return new Set(); }
  }

  /** @param {string} what @param {boolean} on */
  choose(what, on) {
    const chosen = this.chosen;
    if (on) chosen.add(what); else chosen.delete(what);
    try { globalThis.localStorage?.setItem(PREFERENCE, [...chosen].join(",")); } catch { /* kept for this page only */ }
  }

  render() {
    this.drawSettings();
    this.drawBanner();
  }

  /** @param {Change} change */
  update(change) {
    if (change.kind === "statement" && document.hidden && change.statement && change.statement.seat_id !== this.view.room.you?.seat_id) {
      this.unread += 1;
    }
    this.drawBanner();
  }

  drawBanner() {
    const { t } = this.view;
    const turn = yourTurn(this.view.room);
    const yours = !!turn;
    if (yours && !this.wasYours) this.alert();
    this.wasYours = yours;
    this.view.root.toggleAttribute("data-your-turn", yours);
    this.el.hidden = !yours;
    this.showTitle();
    if (!turn) { replace(this.el); return; }
    const write = h("button", { type: "button", dataset: { action: "write" }, text: t("turn.write"),
      onclick: () => /** @type {HTMLElement | null} */ (this.view.root.querySelector("[data-part=composer] textarea"))?.focus() });
    const buttons = turn.kind === "round"
      ? [write,
        h("button", { type: "button", class: "secondary", dataset: { action: "round_done" }, text: t("round.done"), onclick: () => this.view.run("round_done", { round_id: turn.roundId }) }),
        h("button", { type: "button", class: "secondary", dataset: { action: "round_pass" }, text: t("round.pass"), onclick: () => this.view.run("round_pass", { round_id: turn.roundId }) }),
        h("button", { type: "button", class: "secondary", dataset: { action: "round_pass_for_now" }, text: t("round.pass_for_now"),
                      onclick: () => this.view.run("round_pass", { round_id: turn.roundId, for_now: true }) })]
      : [write, h("button", { type: "button", class: "secondary", dataset: { action: "floor_done" }, text: t("floor.done"), onclick: () => this.view.run("floor_done") })];
    replace(this.el,
      h("p", { class: "turn-title" }, h("strong", { text: t(turn.kind === "round" ? "turn.round" : "turn.floor") }),
        turn.endsAt ? [" · ", h("span", { class: "turn-left", text: t("turn.left") }), " ", h("span", { dataset: { endsAt: turn.endsAt } })] : null),
      h("div", { class: "turn-actions", role: "group", "aria-label": t("turn.actions") }, buttons));
    this.tick();
  }

  // Sound, vibration and a notification: each only where the person chose it.
  alert() {
    const chosen = this.chosen;
    if (chosen.has("sound")) {
      chime([523, 659, 784]);
      try { navigator.vibrate?.([200, 100, 200]); } catch { /* not on this device */ }
    }
    if (chosen.has("notify") && document.hidden && globalThis.Notification?.permission === "granted") {
      try { new Notification(this.view.t("turn.notification"), { body: this.baseTitle, tag: "roundtable-turn" }); } catch { /* not here */ }
    }
  }

  showTitle() {
    const turn = this.wasYours ? this.view.t("turn.title") : null;
    const title = tabTitle(this.baseTitle, document.hidden ? this.unread : 0, turn);
    if (document.title !== title) document.title = title;
  }

  // The person's choices, for participants who may speak: sound and vibration, notifications.
  drawSettings() {
    const settings = this.settings;
    if (!(settings instanceof HTMLElement)) return;
    const you = this.view.room.you;
    const speaks = !!you && !isFacilitator(you.role) && you.role !== "observer" && you.role !== "interpreter";
    settings.hidden = !speaks;
    if (!speaks || settings.childElementCount) return;
    const t = this.view.t;
    const chosen = this.chosen;
    const box = (/** @type {string} */ what, /** @type {string} */ label, /** @type {(on: boolean) => void} */ then) => {
      const id = `turn-${what}`;
      const input = h("input", { type: "checkbox", id, checked: chosen.has(what) });
      input.addEventListener("change", () => { this.choose(what, input.checked); then(input.checked); });
      return h("div", { class: "check" }, input, h("label", { for: id, text: label }));
    };
    const notifications = "Notification" in globalThis;
    replace(settings, h("h2", { text: t("turn.settings") }),
      box("sound", t("turn.sound"), (on) => { if (on) chime([523, 659, 784]); }),
      notifications ? box("notify", t("turn.notify"), async (on) => {
        if (on && globalThis.Notification.permission === "default") await globalThis.Notification.requestPermission();
      }) : null);
  }

  tick() { showCountdowns(this.el); }
}
