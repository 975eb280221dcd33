// @ts-check
// Breakouts and caucuses, the participant's side (docs: /tmp spec of issue 18, docs/protocol.md).
// While a breakout is open a placed participant's page shows their group's room (a second
// connection, app.js) instead of the main one. This module draws:
// - in the main room (BreakoutPanel, one of ROOM_PANELS): for someone not placed, that the groups
//   are meeting and a facilitator will place them, with the time left; for an interpreter, the
//   groups, each with "Enter" (the same group room, visiting);
// - in a group room (GROUP_PANELS, view.js): its header ("Caucus — {community}" or "Group {n}",
//   and the time left, GroupHeaderPanel), the facilitators' messages (BroadcastPanel) and the
//   group's draft report with "Ready" (ReportPanel).
// The time left is drawn every second; screen readers hear it only when its minute changes.

/** @import { BreakoutGroupView, BreakoutView, Change, GroupReport, RoomError, RoomEventType, Translate } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { h, mustFind, replace } from "../dom.js";
import { applyReport, breakoutRemaining, formatClock, groupForSeat, isFacilitator, reportReadiness } from "../state.js";

/** The longest report, in characters (the server's limit: report_edit's text, 0..2000). */
export const MAX_REPORT_CHARS = 2000;

/**
 * A group's name as people read it: a caucus by its community, any other group by its number.
 * @param {Translate} t
 * @param {string | null | undefined} grouping the breakout's
 * @param {{number: number, community: string | null}} group
 * @param {(key: string) => string} label a community's label in the reader's language
 */
export function groupName(t, grouping, group, label) {
  return grouping === "caucus" && group.community
    ? t("breakout.caucus_name", { community: label(group.community) })
    : t("breakout.group_name", { n: group.number });
}

/**
 * "12:40 left", or "Time is up" at 0.
 * @param {Translate} t
 * @param {number | null} seconds
 */
export function timeLeftText(t, seconds) {
  if (seconds == null) return "";
  return seconds > 0 ? t("breakout.time_left", { time: formatClock(seconds) }) : t("breakout.time_up");
}

/**
 * What a screen reader hears of the time left: a sentence only when its minute changes
 * (12:59 → 12:00 is "13 minutes left" once), "Time is up" at 0; null in between.
 */
export class MinuteAnnouncer {
  /** @type {number | null} */
  #minute = null;

  /**
   * @param {Translate} t
   * @param {number | null} seconds
   * @returns {string | null}
   */
  next(t, seconds) {
    if (seconds == null) { this.#minute = null; return null; }
    const minute = Math.ceil(seconds / 60);
    if (minute === this.#minute) return null;
    const first = this.#minute == null;
    this.#minute = minute;
    // The first value is shown, not read out: the header already says it.
    if (first && seconds > 0) return null;
    return seconds > 0 ? t("breakout.minutes_left", { count: minute }) : t("breakout.time_up");
  }
}

/**
 * A countdown (text, redrawn every second) with its own polite live region (minute changes only).
 */
class Countdown {
  announcer = new MinuteAnnouncer();

  /** @param {Translate} t */
  constructor(t) {
    this.t = t;
    this.el = h("span", { class: "clock breakout-clock", dataset: { part: "breakout-clock" } });
    this.live = h("span", { class: "visually-hidden", "aria-live": "polite", "aria-atomic": "true" });
  }

  /** @param {BreakoutView | null} breakout */
  show(breakout) {
    const seconds = breakoutRemaining(breakout);
    const text = timeLeftText(this.t, seconds);
    if (this.el.textContent !== text) this.el.textContent = text;
    this.el.classList.toggle("over", seconds === 0);
    const said = this.announcer.next(this.t, seconds);
    if (said) this.live.textContent = said;
  }
}

/**
 * @param {RoomView} view
 * @param {BreakoutView | null} breakout
 * @param {{number: number, community: string | null}} group
 */
function nameOf(view, breakout, group) {
  return groupName(view.t, breakout?.grouping, group, (key) => view.communityLabel(key));
}

// The main room ------------------------------------------------------------------------------

export class BreakoutPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["breakout_changed"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=breakout]");
    this.countdown = new Countdown(view.t);
  }

  render() {
    const { t, room } = this.view;
    const breakout = room.breakout;
    const you = room.you;
    // Facilitators run the breakout from their console (its own panel).
    if (!breakout || !you || isFacilitator(you.role)) {
      this.el.hidden = true;
      replace(this.el);
      return;
    }
    this.el.hidden = false;
    this.countdown.show(breakout);
    const clock = h("p", { class: "breakout-time" }, this.countdown.el, this.countdown.live);
    if (you.role === "interpreter") {
      replace(this.el,
        h("h2", { id: `${this.view.idPrefix}breakout-groups`, text: t("breakout.groups") }),
        clock,
        h("ul", { class: "breakout-groups", "aria-labelledby": `${this.view.idPrefix}breakout-groups` },
          breakout.groups.map((group) => {
            const name = nameOf(this.view, breakout, group);
            return h("li", {},
              h("span", { class: "group-name", text: name }), " ",
              h("span", { class: "muted small", text: t("breakout.members", { count: group.seat_ids.length }) }), " ",
              h("button", { type: "button", dataset: { action: "enter_group", session: group.session_id },
                            "aria-label": t("breakout.enter_named", { name }), text: t("breakout.enter"),
                            onclick: () => this.view.enterGroup(group.session_id) }));
          })));
      return;
    }
    /** @type {BreakoutGroupView | null} */
    const own = you.group_session_id != null ? breakout.groups.find((g) => g.session_id === you.group_session_id) ?? null
      : groupForSeat(breakout, you.seat_id);
    replace(this.el,
      own
        ? [h("p", { class: "breakout-placed", text: t("breakout.your_group", { name: nameOf(this.view, breakout, own) }) }),
          h("button", { type: "button", dataset: { action: "go_to_group" }, text: t("breakout.go_to_group"),
                        onclick: () => this.view.enterGroup(own.session_id) })]
        : h("p", { class: "breakout-waiting", dataset: { part: "breakout-waiting" },
                   text: t(you.role === "observer" ? "breakout.meeting" : "breakout.waiting") }),
      clock);
  }

  tick() {
    if (!this.el.hidden) this.countdown.show(this.view.room.breakout);
  }
}

// A group room -------------------------------------------------------------------------------

export class GroupHeaderPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["breakout_changed"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=group-header]");
    this.countdown = new Countdown(view.t);
    this.title = h("span", { class: "group-name", dataset: { part: "group-name" } });
    this.heading = h("h1", { tabindex: -1 }, this.title, h("span", { class: "group-time" }, " · ", this.countdown.el));
    this.back = h("button", { type: "button", class: "secondary", dataset: { action: "back_to_main" },
                              text: view.t("breakout.back_to_main"), hidden: true, onclick: () => view.leaveGroup() });
    replace(this.el, this.heading, this.countdown.live, this.back);
  }

  /**
   * What the main room knows of this group, shown until the group room's welcome says more.
   * @type {{group: BreakoutGroupView, breakout: BreakoutView} | null}
   */
  hint = null;

  /** The breakout whose time is shown: the group room's, else the main room's. */
  get breakout() { return this.view.room.breakout ?? (this.view.room.group ? null : this.hint?.breakout ?? null); }

  /** The group's name, for the heading (before the welcome: the main room's word for it, or "Group"). */
  get name() {
    const { room, t } = this.view;
    if (room.group) return nameOf(this.view, room.breakout ?? this.hint?.breakout ?? null, room.group);
    return this.hint ? nameOf(this.view, this.hint.breakout, this.hint.group) : t("breakout.group_room");
  }

  render() {
    const name = this.name;
    if (this.title.textContent !== name) this.title.textContent = name;
    this.countdown.show(this.breakout);
    // Participants stay in their group until it returns; a visitor may go back at any time.
    const role = this.view.room.you?.role;
    this.back.hidden = !role || role === "participant" || role === "observer";
  }

  tick() { this.countdown.show(this.breakout); }

  /** Where the focus goes when this group room is shown. */
  focus() { this.heading.focus(); }
}

export class BroadcastPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["broadcast"];

  /** @type {Set<number>} */
  #dismissed = new Set();

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=broadcast]");
  }

  render() {
    const { t, room } = this.view;
    const last = [...room.broadcasts].reverse().find((b) => !!b.text);
    if (!last || this.#dismissed.has(last.message_id)) {
      this.el.hidden = true;
      replace(this.el);
      return;
    }
    this.el.hidden = false;
    replace(this.el, h("div", { class: "broadcast", dataset: { message: last.message_id } },
      h("p", {}, h("strong", { text: t("breakout.broadcast") }), " ",
        // The facilitators' own words, in whichever language they wrote them.
        h("span", { class: "broadcast-text", lang: "", text: last.text })),
      h("button", { type: "button", class: "link-button", text: t("action.close"),
                    onclick: () => { this.#dismissed.add(last.message_id); this.render(); } })));
  }

  /** @param {Change} change */
  update(change) {
    this.render();
    if (change.kind === "broadcast" && change.broadcast.text) {
      this.view.announce(`${this.view.t("breakout.broadcast")} ${change.broadcast.text}`);
    }
  }
}

export class ReportPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["report_changed", "presence_joined", "presence_left", "seat_changed", "session_status"];

  /** The report the text area's words started from (its version is what Save sends). */
  /** @type {{version: number, text: string}} */
  #base = { version: 0, text: "" };
  #agreed = false;
  #saving = false;

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=report]");
    const t = view.t;
    const p = view.idPrefix;
    this.status = h("span", { class: "report-status muted", dataset: { part: "report-status" } });
    const heading = h("h2", { id: `${p}report-heading`, text: t("breakout.report_title") });
    this.summary = h("summary", {}, heading, " ", this.status);
    this.textarea = h("textarea", { id: `${p}report-text`, rows: 6, maxlength: MAX_REPORT_CHARS,
                                    "aria-describedby": `${p}report-hint ${p}report-count` });
    this.count = h("span", { id: `${p}report-count`, class: "muted small", "aria-live": "off" });
    this.save = h("button", { type: "submit", dataset: { action: "report_save" }, text: t("breakout.save") });
    this.conflict = h("div", { class: "report-conflict", dataset: { part: "report-conflict" }, hidden: true });
    this.changed = h("p", { class: "report-changed", dataset: { part: "report-changed" }, role: "status", hidden: true });
    this.ready = h("button", { type: "button", class: "secondary ready-toggle", dataset: { action: "report_ready" },
                               "aria-pressed": "false", text: t("breakout.ready"), onclick: () => this.toggleReady() });
    this.readiness = h("p", { class: "report-readiness", dataset: { part: "report-readiness" } });
    this.readyWhy = h("span", { class: "muted small", id: `${p}report-ready-why` });
    const form = h("form", { class: "report-form" },
      h("label", { for: `${p}report-text`, text: t("breakout.report_label") }),
      h("p", { class: "hint", id: `${p}report-hint`, text: t("breakout.report_hint") }),
      this.textarea,
      h("div", { class: "composer-row" }, this.count, this.save),
      this.changed,
      this.conflict,
      h("div", { class: "actions report-ready" }, this.ready, this.readyWhy),
      this.readiness);
    form.addEventListener("submit", (event) => { event.preventDefault(); this.saveReport(); });
    this.textarea.addEventListener("input", () => this.renderControls());
    // On a phone the report starts folded (its summary says how far it is); on a wide screen, open.
    const wide = globalThis.matchMedia?.("(min-width: 56rem)").matches ?? true;
    this.details = h("details", { class: "report-box", open: wide }, this.summary, form);
    replace(this.el, this.details);
    this.el.setAttribute("aria-labelledby", `${p}report-heading`);
  }

  get dirty() { return this.textarea.value !== this.#base.text; }

  get mayWrite() {
    const { room } = this.view;
    const status = room.session?.status;
    return !!room.report && !!room.you && room.you.role !== "observer" && !room.ended
      && status !== "ended" && status !== "archived" && status !== "cancelled";
  }

  render() {
    const report = this.view.room.report;
    this.el.hidden = !report;
    if (!report) return;
    if (!this.dirty) {
      // Nothing of one's own unsaved: the text area follows the report as it is now.
      this.textarea.value = report.text;
      this.#base = { version: report.version, text: report.text };
      this.changed.hidden = true;
    } else if (report.version !== this.#base.version && report.text !== this.textarea.value) {
      // Someone else saved while this person writes: their words stay; Save will say it changed.
      this.changed.hidden = false;
      this.changed.textContent = this.view.t("breakout.changed_elsewhere");
    }
    this.renderControls();
  }

  renderControls() {
    const { t, room } = this.view;
    const report = room.report;
    if (!report) return;
    const may = this.mayWrite;
    this.textarea.readOnly = !may;
    const length = [...this.textarea.value].length;
    this.count.textContent = t("composer.count", { count: length, max: MAX_REPORT_CHARS });
    this.count.classList.toggle("warn", MAX_REPORT_CHARS - length < 100);
    this.save.disabled = !may || !this.dirty || this.#saving;
    const readiness = reportReadiness(room, report);
    this.ready.setAttribute("aria-pressed", String(readiness.mine));
    // "Ready" is for the words as saved: first save one's own changes; nothing to agree on an empty report.
    const why = this.dirty ? t("breakout.save_first") : !report.text.trim() ? t("breakout.nothing_yet") : "";
    this.ready.disabled = !may || !!why;
    if (this.readyWhy.textContent !== why) this.readyWhy.textContent = why;
    if (why) this.ready.setAttribute("aria-describedby", this.readyWhy.id); else this.ready.removeAttribute("aria-describedby");
    const status = readiness.agreed ? t("breakout.agreed") : t("breakout.ready_count", { ready: readiness.ready, of: readiness.of });
    if (this.readiness.textContent !== status) this.readiness.textContent = status;
    this.readiness.classList.toggle("agreed", readiness.agreed);
    const short = readiness.agreed ? t("breakout.agreed_short") : t("breakout.ready_count", { ready: readiness.ready, of: readiness.of });
    if (this.status.textContent !== short) this.status.textContent = short;
  }

  /** @param {Change} change */
  update(change) {
    this.render();
    const agreed = !!this.view.room.report?.agreed;
    if (change.kind === "report" && agreed && !this.#agreed) this.view.announce(this.view.t("breakout.agreed"));
    this.#agreed = agreed;
  }

  async saveReport() {
    if (!this.mayWrite || !this.dirty || this.#saving) return;
    const text = this.textarea.value;
    const { t, room } = this.view;
    this.#saving = true;
    this.renderControls();
    try {
      const report = await this.view.connection.command("report_edit", { text, version: this.#base.version });
      const now = applyReport(room, report);
      if (now) {
        this.#base = { version: now.version, text: now.text };
        if (this.textarea.value === text) this.textarea.value = now.text;
      }
      this.changed.hidden = true;
      this.showConflict(null);
      this.view.flash(t("breakout.saved"));
    } catch (error) {
      if (/** @type {RoomError} */ (error)?.code === "report_changed") this.onConflict(text);
      else this.view.flash(this.view.errorText(error));
    } finally {
      this.#saving = false;
      this.render();
    }
  }

  // Someone else saved first: their text is shown now, and this person's unsaved words beside it
  // (to copy from, or to take back into the text area and save over theirs).
  /** @param {string} mine */
  onConflict(mine) {
    const report = this.view.room.report;
    if (report) {
      this.textarea.value = report.text;
      this.#base = { version: report.version, text: report.text };
    }
    this.changed.hidden = true;
    this.details.open = true;
    this.showConflict(mine); // its note is an alert: said once, here, not also as a flash
  }

  /** @param {string | null} mine */
  showConflict(mine) {
    const t = this.view.t;
    this.conflict.hidden = mine == null;
    if (mine == null) { replace(this.conflict); return; }
    replace(this.conflict,
      h("p", { role: "alert", text: t("breakout.report_conflict") }),
      h("details", {},
        h("summary", { text: t("breakout.your_text") }),
        h("p", { class: "prewrap mine", lang: "", text: mine }),
        h("button", { type: "button", class: "link-button", dataset: { action: "use_mine" }, text: t("breakout.use_mine"),
                      onclick: () => { this.textarea.value = mine; this.showConflict(null); this.renderControls(); this.textarea.focus(); } })));
  }

  async toggleReady() {
    const { room } = this.view;
    const report = room.report;
    if (!report || !this.mayWrite || this.dirty) return;
    const mine = reportReadiness(room, report).mine;
    const result = await this.view.run("report_ready", { version: report.version, ready: !mine });
    if (result) {
      applyReport(room, result);
      this.update({ kind: "report", report: /** @type {GroupReport} */ (room.report) });
    } else this.render();
  }
}
