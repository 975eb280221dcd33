// @ts-check
// The console's breakout groups (a breakout agenda item: a caucus per community, mixed
// groups, or groups the facilitator draws). Shown while the current item is a breakout or a
// breakout is open.
//
// Before the groups open: the server's proposal (`breakout_propose`, which changes nothing),
// each person's group chosen with a select, groups added or removed, the minutes, and "Open
// the groups" (`breakout_open` with the groups as adjusted here). Manual grouping starts with
// two empty groups and everyone unplaced.
//
// While they are open: a card per group (its name, who is placed and who is there, its
// statements and how far its report is agreed: `breakout_glance`, every 5 s and after each
// `breakout_changed`), the time left, a way to move each person (or back to the main room)
// and to place late arrivals, a link to visit each group's own console in a new tab, more
// time, a message to every group, and ending the groups early behind a confirmation.
//
// The panel's parts redraw apart: the groups when the breakout changes, the glance's words
// in place every 5 s (a select being used is not pulled away), the message form never (what
// is typed stays). Controls carry `data-key`, so a redraw gives the focus back.
// The proposal's editing and the groups' names are pure functions, tested under Node
// (frontend/tests/groups.test.mjs).

/**
 * @import { BreakoutGlance, BreakoutGroupView, BreakoutProposal, BreakoutView, Change, RoomEventType, Translate }
 *   from "../types.js"
 * @import { RoomView } from "../view.js"
 * @import { Children } from "../dom.js"
 */

import { confirmAction, h, mustFind, replace } from "../dom.js";
import { breakoutRemaining } from "../state.js";
import { groupName, timeLeftText } from "./breakout.js";

/** At most this many groups (the server's MAX_GROUPS, app/facilitation/breakout_groups.py). */
export const MAX_GROUPS = 12;
/** A manual grouping starts with this many empty groups. */
export const MANUAL_GROUPS = 2;
/** How often the console asks how the groups are doing, in seconds. */
export const GLANCE_SECONDS = 5;
/** The longest message to every group (the server's). */
export const MAX_BROADCAST_CHARS = 500;
/** "Extend" gives this many minutes more. */
export const EXTEND_MINUTES = 5;

/**
 * A group as the console drafts it before the groups open.
 * @typedef {object} DraftGroup
 * @property {string | null} community a caucus's community key; null for a mixed or drawn group
 * @property {number[]} seat_ids main-room seat ids
 */
/**
 * The groups being drawn for one agenda item: the proposal as the facilitator adjusted it.
 * @typedef {object} Draft
 * @property {number} item_id
 * @property {DraftGroup[]} groups
 * @property {number[]} unplaced seats in no group yet
 */
/** @typedef {BreakoutGlance["groups"][number]} GroupGlance */

// Pure helpers -----------------------------------------------------------------------------

/**
 * The draft a proposal starts: its groups as they are; none proposed (manual grouping, or
 * nobody to place) → MANUAL_GROUPS empty groups, everyone unplaced.
 * @param {number} itemId
 * @param {BreakoutProposal} proposal
 * @returns {Draft}
 */
export function draftOf(itemId, proposal) {
  const groups = (proposal.groups ?? []).map((g) => ({ community: g.community ?? null, seat_ids: [...(g.seat_ids ?? [])] }));
  return {
    item_id: itemId,
    groups: groups.length ? groups : Array.from({ length: MANUAL_GROUPS }, () => ({ community: null, seat_ids: [] })),
    unplaced: [...(proposal.unplaced ?? [])],
  };
}

/**
 * The draft with one person moved: into the group at index `to`, or to no group (null).
 * Nothing else changes; a seat not in the draft yet is added.
 * @param {Draft} draft
 * @param {number} seatId
 * @param {number | null} to
 * @returns {Draft}
 */
export function moveSeat(draft, seatId, to) {
  const without = (/** @type {number[]} */ ids) => ids.filter((id) => id !== seatId);
  const target = to != null && to >= 0 && to < draft.groups.length ? to : null;
  return {
    ...draft,
    groups: draft.groups.map((g, i) => ({ ...g, seat_ids: i === target ? [...without(g.seat_ids), seatId] : without(g.seat_ids) })),
    unplaced: target == null ? [...without(draft.unplaced), seatId] : without(draft.unplaced),
  };
}

/**
 * The draft with one more (empty, mixed) group, up to MAX_GROUPS.
 * @param {Draft} draft
 * @returns {Draft}
 */
export function addGroup(draft) {
  if (draft.groups.length >= MAX_GROUPS) return draft;
  return { ...draft, groups: [...draft.groups.map((g) => ({ ...g })), { community: null, seat_ids: [] }] };
}

/**
 * The draft without the group at `index`; its members go to no group. The last group stays.
 * @param {Draft} draft
 * @param {number} index
 * @returns {Draft}
 */
export function removeGroup(draft, index) {
  const group = draft.groups[index];
  if (!group || draft.groups.length <= 1) return draft;
  return {
    ...draft,
    groups: draft.groups.filter((_, i) => i !== index).map((g) => ({ ...g })),
    unplaced: [...draft.unplaced, ...group.seat_ids.filter((id) => !draft.unplaced.includes(id))],
  };
}

/**
 * The draft with everyone in `seatIds` somewhere: whoever came in since the proposal is
 * added to no group (the draft is unchanged when nobody is new).
 * @param {Draft} draft
 * @param {readonly number[]} seatIds
 * @returns {Draft}
 */
export function withArrivals(draft, seatIds) {
  const known = new Set([...draft.unplaced, ...draft.groups.flatMap((g) => g.seat_ids)]);
  const arrived = seatIds.filter((id) => !known.has(id));
  return arrived.length ? { ...draft, unplaced: [...draft.unplaced, ...arrived] } : draft;
}

/**
 * What `breakout_open` takes: each group's seats, empty groups left out.
 * @param {Draft} draft
 * @returns {number[][]}
 */
export function openingGroups(draft) {
  return draft.groups.filter((g) => g.seat_ids.length).map((g) => [...g.seat_ids]);
}

/**
 * A group's name as people read it: "Caucus — {community}" for a caucus, else "Group {n}"
 * (panels/breakout.js's groupName, the words the group rooms use). A group drawn before the
 * groups open is a caucus when the proposal gave it a community.
 * @param {Translate} t
 * @param {{community: string | null, number: number}} group
 * @param {(key: string) => string} communityLabel a community key → its label
 * @param {string | null} [grouping] the breakout's (default: a caucus if it has a community)
 */
export function groupTitle(t, group, communityLabel, grouping) {
  return groupName(t, grouping ?? (group.community != null ? "caucus" : null), group, communityLabel);
}

/**
 * Where a report stands, in a few words: agreed, or written with how many are ready, or none yet.
 * @param {Translate} t
 * @param {{written: boolean, agreed: boolean, ready: number, present: number} | null | undefined} report
 */
export function reportState(t, report) {
  if (!report) return "";
  if (report.agreed) return t("groups.report_agreed");
  if (report.written) return t("groups.report_ready", { ready: report.ready, present: report.present });
  return t("groups.report_none");
}

/**
 * The console address of a group's own room (its facilitators' view).
 * @param {{session_id: number}} group
 */
export function visitUrl(group) {
  return `/sessions/${group.session_id}/room`;
}

/**
 * The minutes a breakout starts with: the item's planned time (at least one minute; 15 when
 * the item does not say).
 * @param {{planned_seconds?: number | null} | null | undefined} item
 */
export function plannedMinutes(item) {
  const seconds = item?.planned_seconds;
  if (!seconds || !Number.isFinite(seconds)) return 15;
  return Math.min(240, Math.max(1, Math.round(seconds / 60)));
}

/**
 * The open breakout's group with that id, and its place in the list.
 * @param {BreakoutView | null | undefined} breakout
 * @param {number} groupId
 * @returns {BreakoutGroupView | null}
 */
function groupWithId(breakout, groupId) {
  return breakout?.groups.find((g) => g.id === groupId) ?? null;
}

/**
 * Draw `children` into `el`, giving the focus back to the control with the same `data-key`.
 * @param {HTMLElement} el
 * @param {...Children} children
 */
function redraw(el, ...children) {
  const active = globalThis.document?.activeElement;
  const key = active instanceof HTMLElement && el.contains(active) ? active.dataset.key : undefined;
  replace(el, ...children);
  if (!key) return;
  const again = el.querySelector(`[data-key="${key}"]`);
  if (again instanceof HTMLElement) again.focus();
}

// The panel --------------------------------------------------------------------------------

export class GroupsPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["breakout_changed", "agenda_changed", "session_status"];

  /** @type {Draft | null} */
  draft = null;
  /** @type {number | null} the item a proposal is being fetched for */
  proposing = null;
  /** @type {string} why the last proposal failed, shown in the panel */
  proposeError = "";
  /** @type {Map<number, GroupGlance>} the last glance, by group id */
  glance = new Map();
  /** @type {number | null} the breakout the glance is of */
  glanceOf = null;
  glancing = false;
  sinceGlance = 0;
  /** @type {Set<number>} items whose groups ended while this console watched */
  ended = new Set();
  /** @type {number | null} the breakout the tools below were drawn for */
  toolsFor = null;

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=groups]");
    this.body = h("div", { class: "groups-body" });
    this.tools = h("div", { class: "groups-tools" });
    this.minutes = h("input", { type: "number", id: "groups-minutes", min: 1, max: 240, inputmode: "numeric", dataset: { key: "minutes" } });
    replace(this.el, this.body, this.tools);
  }

  /** The open breakout, if any. */
  get breakout() {
    const breakout = this.view.room.breakout;
    return breakout && breakout.status === "open" ? breakout : null;
  }

  /** The current agenda item when it is a breakout. */
  get item() {
    const item = this.view.room.agenda?.item;
    return item && item.kind === "breakout" ? item : null;
  }

  /** @param {string | null | undefined} key */
  communityLabel(key) { return key ? this.view.communityLabel(key) : ""; }

  /** @param {{community: string | null, number: number}} group */
  name(group) { return groupTitle(this.view.t, group, (key) => this.view.communityLabel(key), this.breakout?.grouping); }

  /** Admitted participants the room knows now (who a proposal may place). */
  participants() {
    return [...this.view.room.present.values()].filter((p) => p.role === "participant").map((p) => p.seat_id);
  }

  render() {
    const breakout = this.breakout;
    const item = this.item;
    // The main room's console runs the groups; a group room's own console does not.
    if (this.view.room.group) { this.el.hidden = true; return; }
    this.el.hidden = !breakout && !item;
    if (breakout) {
      this.drawOpen(breakout);
      this.drawTools(breakout);
      if (this.glanceOf !== breakout.id) this.refreshGlance();
      return;
    }
    this.toolsFor = null;
    replace(this.tools);
    if (!item) {
      replace(this.body);
      return;
    }
    if (this.ended.has(item.id)) return this.drawEnded(item.id);
    if ((!this.draft || this.draft.item_id !== item.id) && this.proposing !== item.id && !this.proposeError) this.propose(item.id);
    this.drawDraft(item);
  }

  /** @param {Change} change */
  update(change) {
    if (change.kind === "breakout") {
      if (change.action === "ended") {
        if (change.breakout.item_id != null) this.ended.add(change.breakout.item_id);
        this.draft = null;
        this.glance = new Map();
        this.glanceOf = null;
      }
      if (change.action === "opened") this.draft = null;
      this.render();
      if (this.breakout) this.refreshGlance();
      const said = this.changeText(change.action);
      if (said) this.view.announce(said);
      return;
    }
    if (change.kind === "agenda") this.proposeError = "";
    this.render();
  }

  /** @param {string} action */
  changeText(action) {
    const t = this.view.t;
    if (action === "opened") return t("groups.announce_opened");
    if (action === "ended") return t("groups.announce_ended");
    if (action === "extended") return t("groups.announce_extended");
    return "";
  }

  tick() {
    const breakout = this.breakout;
    if (breakout) {
      this.showClock(breakout);
      this.sinceGlance += 1;
      if (this.sinceGlance >= GLANCE_SECONDS) this.refreshGlance();
      return;
    }
    const item = this.item;
    if (!item || this.ended.has(item.id)) return;
    if (!this.draft && this.proposing == null && !this.proposeError) {
      this.propose(item.id); // the connection was not open yet when the item came
    } else if (this.draft && this.draft.item_id === item.id) {
      // Someone came in while the groups are drawn: listed, in no group yet.
      const draft = withArrivals(this.draft, this.participants());
      if (draft !== this.draft) this.setDraft(draft);
    }
  }

  // Before the groups open -------------------------------------------------------------------

  /** @param {number} itemId */
  async propose(itemId) {
    if (this.view.connection.state !== "open") return;
    this.proposing = itemId;
    this.proposeError = "";
    try {
      const proposal = await this.view.connection.command("breakout_propose", { item_id: itemId });
      this.draft = withArrivals(draftOf(itemId, proposal), this.participants());
      this.minutes.value = String(plannedMinutes(this.item));
    } catch (error) {
      this.proposeError = this.view.errorText(error);
    } finally {
      this.proposing = null;
    }
    this.render();
  }

  /** @param {Draft} draft */
  setDraft(draft) {
    this.draft = draft;
    this.render();
  }

  /** @param {import("../types.js").AgendaItem} item */
  drawDraft(item) {
    const t = this.view.t;
    const draft = this.draft && this.draft.item_id === item.id ? this.draft : null;
    const head = h("h2", { id: "groups-title", text: t("groups.title") });
    if (!draft) {
      redraw(this.body, head,
        this.proposeError
          ? [h("p", { role: "alert", text: this.proposeError }),
             h("button", { type: "button", class: "secondary", dataset: { key: "propose" }, text: t("groups.propose_again"),
                           onclick: () => { this.proposeError = ""; this.propose(item.id); } })]
          : h("p", { class: "muted", text: t("groups.proposing") }));
      return;
    }
    const status = this.view.room.session?.status;
    const live = status === "live";
    /** @type {(index: number) => string} */
    const nameAt = (index) => this.name({ community: draft.groups[index].community, number: index + 1 });
    /**
     * The select that puts one person in a group (or in none).
     * @param {number} seatId
     * @param {number | null} current the group's index, or null for none
     */
    const placeSelect = (seatId, current) => {
      const name = this.view.seatName(seatId);
      const id = `groups-draft-${seatId}`;
      const select = h("select", { id, dataset: { key: `draft-${seatId}` } },
        draft.groups.map((_, i) => h("option", { value: String(i), text: nameAt(i) })),
        h("option", { value: "", text: t("groups.no_group") }));
      select.value = current == null ? "" : String(current);
      select.addEventListener("change", () => {
        this.setDraft(moveSeat(draft, seatId, select.value === "" ? null : Number(select.value)));
      });
      return [h("label", { for: id, class: "visually-hidden", text: t("groups.group_of", { name }) }), select];
    };
    /**
     * @param {number} seatId
     * @param {number | null} current
     */
    const person = (seatId, current) => {
      const community = this.view.room.seats.get(seatId)?.community ?? null;
      return h("li", { class: "groups-person" },
        h("span", { class: "name", text: this.view.seatName(seatId) }),
        community ? [" ", h("span", { class: "badge community", text: this.communityLabel(community) })] : null,
        h("div", { class: "groups-move" }, placeSelect(seatId, current)));
    };
    const groups = draft.groups.map((group, index) => h("section", { class: "card breakout-group", "aria-labelledby": `groups-draft-title-${index}` },
      h("h3", { id: `groups-draft-title-${index}` }, nameAt(index), " ",
        h("span", { class: "muted small", text: t("groups.people", { count: group.seat_ids.length }) })),
      group.seat_ids.length
        ? h("ul", { class: "plain groups-people" }, group.seat_ids.map((id) => person(id, index)))
        : h("p", { class: "muted small", text: t("groups.nobody_yet") }),
      draft.groups.length > 1
        ? h("button", { type: "button", class: "link-button", dataset: { key: `remove-${index}` }, text: t("groups.remove_group"),
                        "aria-label": `${t("groups.remove_group")}: ${nameAt(index)}`,
                        onclick: () => this.setDraft(removeGroup(draft, index)) })
        : null));
    const unplaced = h("section", { class: "breakout-unplaced", "aria-labelledby": "groups-draft-unplaced" },
      h("h3", { id: "groups-draft-unplaced" }, t("groups.no_group"), " ",
        h("span", { class: "muted small", text: t("groups.people", { count: draft.unplaced.length }) })),
      draft.unplaced.length
        ? h("ul", { class: "plain groups-people" }, draft.unplaced.map((id) => person(id, null)))
        : h("p", { class: "muted small", text: t("groups.everyone_placed") }));
    const open = h("button", { type: "submit", dataset: { key: "open" }, text: t("groups.open"), disabled: !live,
                               "aria-describedby": live ? null : "groups-why-open" });
    const form = h("form", { class: "groups-open" },
      h("div", { class: "field" },
        h("label", { for: "groups-minutes", text: t("groups.minutes") }), this.minutes),
      h("div", { class: "actions" }, open,
        live ? null : h("span", { class: "muted small why", id: "groups-why-open", text: t("groups.why_not_live") })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const minutes = Number(this.minutes.value);
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > 240) {
        this.view.flash(t("groups.minutes_invalid"));
        this.minutes.focus();
        return;
      }
      const groups = openingGroups(draft);
      if (!groups.length) {
        this.view.flash(t("groups.nobody_placed"));
        return;
      }
      await this.view.run("breakout_open", { item_id: item.id, groups, minutes });
    });
    if (!this.minutes.value) this.minutes.value = String(plannedMinutes(item));
    redraw(this.body, head,
      h("p", { class: "muted small", text: t("groups.adjust") }),
      groups, unplaced,
      h("div", { class: "actions" },
        h("button", { type: "button", class: "secondary", dataset: { key: "add" }, text: t("groups.add_group"),
                      disabled: draft.groups.length >= MAX_GROUPS, onclick: () => this.setDraft(addGroup(draft)) }),
        h("button", { type: "button", class: "link-button", dataset: { key: "propose" }, text: t("groups.propose_again"),
                      onclick: () => { this.draft = null; this.propose(item.id); } })),
      form);
  }

  /** @param {number} itemId */
  drawEnded(itemId) {
    const t = this.view.t;
    redraw(this.body, h("h2", { id: "groups-title", text: t("groups.title") }),
      h("p", { text: t("groups.ended") }),
      h("button", { type: "button", class: "secondary", dataset: { key: "again" }, text: t("groups.again"),
                    onclick: () => { this.ended.delete(itemId); this.draft = null; this.render(); } }));
  }

  // While the groups are open ----------------------------------------------------------------

  /** @param {BreakoutView} breakout */
  drawOpen(breakout) {
    const t = this.view.t;
    const others = (/** @type {number | null} */ groupId) => breakout.groups.filter((g) => g.id !== groupId);
    /**
     * A select and a button that move one person: "Move to…" (other groups, the main room) or,
     * for someone in no group, "Place in…".
     * @param {number} seatId
     * @param {number | null} groupId where they are now (null: in no group)
     */
    const moveForm = (seatId, groupId) => {
      const name = this.view.seatName(seatId);
      const id = `groups-move-${seatId}`;
      const placing = groupId == null;
      const select = h("select", { id, dataset: { key: `move-${seatId}` } },
        h("option", { value: "", text: placing ? t("groups.place_in") : t("groups.move_to") }),
        others(groupId).map((g) => h("option", { value: String(g.id), text: this.name(g) })),
        placing ? null : h("option", { value: "main", text: t("groups.main_room") }));
      const form = h("form", { class: "actions groups-move" },
        h("label", { for: id, class: "visually-hidden", text: placing ? t("groups.place_who", { name }) : t("groups.move_who", { name }) }),
        select,
        h("button", { type: "submit", class: "secondary", dataset: { key: `move-go-${seatId}` },
                      text: placing ? t("groups.place") : t("groups.move"),
                      "aria-label": `${placing ? t("groups.place") : t("groups.move")}: ${name}` }));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        if (!select.value) { select.focus(); return; }
        await this.view.run("breakout_move", { breakout_id: breakout.id, seat_id: seatId,
                                               group_id: select.value === "main" ? null : Number(select.value) });
      });
      return form;
    };
    const cards = breakout.groups.map((group) => {
      const name = this.name(group);
      const titleId = `groups-group-${group.id}`;
      return h("section", { class: "card breakout-group", "aria-labelledby": titleId, dataset: { group: group.id } },
        h("div", { class: "section-head" },
          h("h3", { id: titleId, text: name }),
          h("a", { href: visitUrl(group), target: "_blank", rel: "noopener", class: "button small secondary groups-visit", dataset: { key: `visit-${group.id}` },
                   "aria-label": t("groups.visit_group", { group: name }), text: t("groups.visit") })),
        h("p", { class: "small groups-glance", dataset: { glance: group.id } }),
        group.seat_ids.length
          ? h("ul", { class: "plain groups-people" }, group.seat_ids.map((seatId) => h("li", { class: "groups-person" },
              h("span", { class: "name", text: this.view.seatName(seatId) }), " ",
              h("span", { class: "muted small", dataset: { presence: seatId, in: group.id } }),
              moveForm(seatId, group.id))))
          : h("p", { class: "muted small", text: t("groups.nobody_yet") }));
    });
    redraw(this.body,
      h("div", { class: "section-head" },
        h("h2", { id: "groups-title", text: t("groups.title") }),
        h("p", { class: "clock", dataset: { part: "breakout-clock" } })),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "secondary", dataset: { key: "extend" }, text: t("groups.extend", { n: EXTEND_MINUTES }),
                      onclick: () => this.view.run("breakout_extend", { breakout_id: breakout.id, minutes: EXTEND_MINUTES }) })),
      cards,
      breakout.unplaced.length
        ? h("section", { class: "card breakout-unplaced", "aria-labelledby": "groups-unplaced" },
            h("h3", { id: "groups-unplaced", text: t("groups.unplaced") }),
            h("p", { class: "muted small", text: t("groups.unplaced_hint") }),
            h("ul", { class: "plain groups-people" }, breakout.unplaced.map((seatId) => h("li", { class: "groups-person" },
              h("span", { class: "name", text: this.view.seatName(seatId) }), moveForm(seatId, null)))))
        : null);
    this.showClock(breakout);
    this.showGlance(breakout);
  }

  // The message to every group and the early end: drawn once per breakout (typing survives).
  /** @param {BreakoutView} breakout */
  drawTools(breakout) {
    if (this.toolsFor === breakout.id) return;
    this.toolsFor = breakout.id;
    const t = this.view.t;
    const text = h("textarea", { id: "groups-broadcast", rows: 2, maxlength: MAX_BROADCAST_CHARS, dataset: { key: "broadcast" },
                                 "aria-describedby": "groups-broadcast-hint" });
    const form = h("form", { class: "groups-broadcast" },
      h("label", { for: "groups-broadcast", text: t("groups.broadcast") }),
      h("p", { class: "muted small", id: "groups-broadcast-hint", text: t("groups.broadcast_hint", { n: MAX_BROADCAST_CHARS }) }),
      text,
      h("div", { class: "actions" }, h("button", { type: "submit", text: t("groups.broadcast_send") })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const message = text.value.trim();
      if (!message) { text.focus(); return; }
      const sent = await this.view.run("breakout_broadcast", { breakout_id: breakout.id, text: message.slice(0, MAX_BROADCAST_CHARS) });
      if (sent !== null) {
        text.value = "";
        this.view.flash(t("groups.broadcast_sent"));
      }
    });
    const end = h("div", { class: "actions ending", role: "group", "aria-label": t("groups.ending") },
      h("button", { type: "button", class: "danger", dataset: { action: "breakout_end" }, text: t("groups.end"),
                    onclick: async () => {
                      const sure = await confirmAction({ title: t("groups.end"), text: t("groups.end_confirm"),
                                                         submit: t("groups.end"), cancel: t("action.cancel") });
                      if (sure) await this.view.run("breakout_end", { breakout_id: breakout.id });
                    } }));
    replace(this.tools, form, end);
  }

  /** @param {BreakoutView} breakout */
  showClock(breakout) {
    const clock = this.body.querySelector("[data-part=breakout-clock]");
    if (!clock) return;
    const left = breakoutRemaining(breakout) ?? 0;
    clock.textContent = timeLeftText(this.view.t, left);
    clock.classList.toggle("over", left === 0);
  }

  // How the groups are doing ---------------------------------------------------------------

  async refreshGlance() {
    const breakout = this.breakout;
    this.sinceGlance = 0;
    if (!breakout || this.glancing || this.view.connection.state !== "open") return;
    this.glancing = true;
    try {
      const glance = await this.view.connection.command("breakout_glance", { breakout_id: breakout.id });
      if (glance && glance.breakout_id === breakout.id) {
        this.glance = new Map(glance.groups.map((g) => [g.group_id, g]));
        this.glanceOf = breakout.id;
      }
    } catch {
      // A glance that fails is tried again in 5 s; the cards keep the last one.
    } finally {
      this.glancing = false;
    }
    const now = this.breakout;
    if (now) this.showGlance(now);
  }

  // The glance's words, written into the cards in place (nothing is redrawn).
  /** @param {BreakoutView} breakout */
  showGlance(breakout) {
    const t = this.view.t;
    for (const line of this.body.querySelectorAll("[data-glance]")) {
      const group = groupWithId(breakout, Number(line.getAttribute("data-glance")));
      const glance = group ? this.glance.get(group.id) : undefined;
      if (!group || !glance) { line.textContent = t("groups.glance_waiting"); continue; }
      const here = group.seat_ids.filter((id) => glance.present.includes(id)).length;
      line.textContent = [t("groups.here_of", { here, count: group.seat_ids.length }),
                          t("groups.statements", { count: glance.statements }),
                          reportState(t, glance.report)].filter(Boolean).join(" · ");
    }
    for (const mark of this.body.querySelectorAll("[data-presence]")) {
      const glance = this.glance.get(Number(mark.getAttribute("data-in")));
      const seatId = Number(mark.getAttribute("data-presence"));
      mark.textContent = glance ? `(${glance.present.includes(seatId) ? t("groups.here") : t("groups.not_here")})` : "";
    }
  }
}

/**
 * A group alert's words ("Group 2: a break was requested"), for the alerts panel.
 * @param {RoomView} view
 * @param {{group_id: number, kind: string}} alert
 */
export function groupAlertText(view, alert) {
  const t = view.t;
  const group = groupWithId(view.room.breakout, alert.group_id);
  const name = group ? groupTitle(t, group, (key) => view.communityLabel(key), view.room.breakout?.grouping) : t("groups.a_group");
  return alert.kind === "report_made" ? t("alert.group_report", { group: name }) : t("alert.group_break", { group: name });
}

/**
 * The link beside a group alert: visit that group's console (a new tab).
 * @param {RoomView} view
 * @param {{group_id: number}} alert
 */
export function groupAlertLink(view, alert) {
  const group = groupWithId(view.room.breakout, alert.group_id);
  if (!group) return null;
  const t = view.t;
  const name = groupTitle(t, group, (key) => view.communityLabel(key), view.room.breakout?.grouping);
  return h("a", { href: visitUrl(group), target: "_blank", rel: "noopener", text: t("groups.visit"),
                  "aria-label": t("groups.visit_group", { group: name }) });
}
