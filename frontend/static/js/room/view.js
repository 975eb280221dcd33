// @ts-check
// The room on screen, for participants and facilitators alike: a composition of panels
// (panels/*.js), each drawing one part of the page from the room state: the connection and
// session status, the agenda and its clock, the round, the floor and queue, polls, the
// statements with their reactions, who is present, the notices meant for this person and
// the composer. Which panels redraw for which room event is panels/routes.js's table. The
// facilitator's console (console.js) adds its own panels and controls. All text goes in
// through dom.js (as text, never HTML). Facilitators' words (titles, prompts, polls, the
// pause message) come as maps over the programme's languages and are shown in the reader's
// language, the page's, through text() (texts.js), marked when they fall back to another.

/**
 * @import { Api, Change, CommandFields, CommandResult, Notice, Room, RoomCommandType, RoomEvent, Statement,
 *   Translate, Round, SeatSummary } from "./types.js"
 * @import { RoomConnection } from "./connection.js"
 * @import { Panel, PanelClass } from "./panels/routes.js"
 * @import { Attrs, Children } from "./dom.js"
 * @import { Shown, Texts } from "./texts.js"
 */

import { mustFind } from "./dom.js";
import { AgendaPanel } from "./panels/agenda.js";
import { BreakoutPanel, BroadcastPanel, GroupHeaderPanel, ReportPanel } from "./panels/breakout.js";
import { ComposerPanel } from "./panels/composer.js";
import { FloorPanel } from "./panels/floor.js";
import { NoticesPanel } from "./panels/notices.js";
import { PollsPanel } from "./panels/polls.js";
import { PresencePanel } from "./panels/presence.js";
import { RoundPanel } from "./panels/round.js";
import { routeTable } from "./panels/routes.js";
import { StatementsPanel } from "./panels/statements.js";
import { TurnPanel } from "./panels/turn.js";
import { StatusPanel } from "./panels/status.js";
import { communityLabel, isFacilitator, seatName } from "./state.js";
import { nameLabel, pickText, shownText } from "./texts.js";

/**
 * The room's panels, in the order they are drawn.
 * @type {readonly PanelClass[]}
 */
export const ROOM_PANELS = [
  StatusPanel, BreakoutPanel, AgendaPanel, RoundPanel, FloorPanel, PollsPanel, StatementsPanel, PresencePanel, NoticesPanel,
  ComposerPanel, TurnPanel,
];

/**
 * A breakout group's room (its own connection and room state, app.js), in the order drawn: its
 * header and time left, the facilitators' messages, the floor, the group's report, the
 * conversation, who is there, notices and the composer.
 * @type {readonly PanelClass[]}
 */
export const GROUP_PANELS = [
  StatusPanel, GroupHeaderPanel, BroadcastPanel, FloorPanel, ReportPanel, StatementsPanel, PresencePanel, NoticesPanel,
  ComposerPanel, TurnPanel,
];

/**
 * How a view reaches the breakout's group rooms (app.js): open one (a participant's own group,
 * or a visit by an interpreter or facilitator), go back to the main room, which one is shown.
 * @typedef {object} GroupRooms
 * @property {(sessionId: number) => void} enter
 * @property {() => void} leave
 * @property {() => number | null} current the group room's session shown now, else null
 */

/**
 * What the facilitator's console adds inside the room's own panels (console.js); each
 * returns nothing when there is nothing to add.
 * @typedef {object} FacilitatorControls
 * @property {() => Children} [floor] after the queue
 * @property {(round: Round) => Children} [round] after the turns
 * @property {() => Children} [polls] after the polls
 * @property {(seat: SeatSummary) => Children} [seat] beside a present seat
 * @property {(statement: Statement) => Children} [statement] among a statement's actions
 * @property {(statement: Statement) => Children} [hidden] under a hidden statement's marker (read it, show it again)
 */

/**
 * @typedef {object} RoomViewOptions
 * @property {HTMLElement} root the page's #room
 * @property {Room} room
 * @property {RoomConnection} connection
 * @property {Translate} t
 * @property {number} maxStatementChars the longest statement, in characters (the page's room data)
 * @property {Record<string, string>} [communities] key → label in this page's language
 * @property {string} [lang] the reader's language: the page's (a participant's seat language, the
 *   console's interface language); default "en"
 * @property {Record<string, string>} [languageNames] each programme language's name (the page's room data)
 * @property {Api} [api] the session's JSON API (the console's lobby and audit)
 * @property {{waiting: string, login: string, survey?: string}} [links] the session's waiting page; the login page,
 *   coming back to this room; the post-session survey (the closing screen links to it)
 * @property {{keepTranscript: boolean, withdrawalHours: number}} [closing] what the closing screen tells
 *   participants: whether a transcript is kept, and how long they may withdraw their words
 * @property {(kind: Change["kind"] | "all", frame?: RoomEvent) => void} [onChange]
 * @property {readonly PanelClass[]} [panels] default ROOM_PANELS
 * @property {string} [idPrefix] put before every element id this view makes, so that two rooms on one page
 *   (the main room and a group's) never share one; default ""
 * @property {GroupRooms} [groups] the way to the breakout's group rooms (none: entering does nothing)
 */

export class RoomView {
  /** @type {FacilitatorControls} */
  controls = {};
  /** @type {Map<PanelClass, Panel>} */
  #panels = new Map();

  /** @param {RoomViewOptions} options */
  constructor({ root, room, connection, t, maxStatementChars, communities = {}, api, onChange = () => {},
                panels = ROOM_PANELS, links = { waiting: "/", login: "/login" }, lang = "en", languageNames = {},
                closing = { keepTranscript: true, withdrawalHours: 72 }, idPrefix = "", groups }) {
    if (!Number.isInteger(maxStatementChars) || maxStatementChars < 1) {
      throw new TypeError(`RoomView needs maxStatementChars, a positive whole number (the page's max_statement_chars); got ${maxStatementChars}.`);
    }
    this.root = root;
    this.communities = communities;
    this.lang = lang;
    this.languageNames = languageNames;
    this.room = room;
    this.connection = connection;
    this.t = t;
    this.maxStatementChars = maxStatementChars;
    this.api = api;
    this.links = links;
    this.closing = closing;
    this.onChange = onChange;
    this.idPrefix = idPrefix;
    this.groups = groups;
    this.live = mustFind(root, "[data-part=announce]");
    for (const Panel of panels) this.#panels.set(Panel, new Panel(this));
    this.routes = routeTable(panels);
    this.#ticking = setInterval(() => this.tick(), 1000);
  }

  /** @type {ReturnType<typeof setInterval> | undefined} */
  #ticking;

  // A view that goes away (a group room left): its clocks stop, and its tab title is the page's again.
  destroy() {
    clearInterval(this.#ticking);
    const turn = this.#panels.get(TurnPanel);
    if (turn instanceof TurnPanel) {
      turn.wasYours = false;
      turn.unread = 0;
      if (typeof document !== "undefined" && document.title !== turn.baseTitle) document.title = turn.baseTitle;
    }
  }

  /**
   * Whether this view has a panel of that class.
   * @param {PanelClass} Panel
   */
  has(Panel) { return this.#panels.has(Panel); }

  // The breakout's group rooms ----------------------------------------------------------

  /** @param {number} sessionId a group's session */
  enterGroup(sessionId) { this.groups?.enter(sessionId); }

  leaveGroup() { this.groups?.leave(); }

  /** The group room shown now (its session id), else null. */
  get groupSessionId() { return this.groups?.current() ?? null; }

  /**
   * This view's panel of that class.
   * @template {Panel} P
   * @param {PanelClass<P>} Panel
   * @returns {P}
   */
  panel(Panel) {
    const panel = this.#panels.get(Panel);
    if (!(panel instanceof Panel)) throw new Error(`This view has no ${Panel.name}.`);
    return panel;
  }

  get facilitator() { return isFacilitator(this.room.you?.role); }

  // Something was said that everyone should hear about: screen readers get it politely.
  /** @param {string} text */
  announce(text) {
    this.live.textContent = "";
    setTimeout(() => { this.live.textContent = text; }, 50);
  }

  /**
   * A command; on refusal the reason is shown and the result is null.
   * @template {RoomCommandType} T
   * @param {T} type
   * @param {CommandFields[T]} [fields]
   * @returns {Promise<CommandResult<T> | null>}
   */
  async run(type, fields) {
    try {
      return await this.connection.command(type, fields);
    } catch (error) {
      this.flash(this.errorText(error));
      return null;
    }
  }

  /**
   * What to tell the person about a refusal: the error code's translation, else its message.
   * @param {unknown} error a RoomError, a StatementError or anything else thrown
   */
  errorText(error) {
    const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
    const message = typeof error === "object" && error !== null && "message" in error ? error.message : undefined;
    const key = `error.${code}`;
    const text = this.t(key);
    return text === key ? (typeof message === "string" && message) || this.t("error.generic") : text;
  }

  /** @param {string} text */
  flash(text) { this.panel(NoticesPanel).flash(text); }

  /** @param {Notice | undefined} notice */
  noticeText(notice) { return this.panel(NoticesPanel).noticeText(notice); }

  // "Use it here" (the room was opened in another tab or device, 4429): connect once more, which
  // closes the other one's connection.
  useHere() {
    this.room.ended = null;
    this.connection.start();
    this.renderStatus();
    this.renderComposer();
    this.panel(NoticesPanel).render();
  }

  /** @param {string} key a community's */
  communityLabel(key) { return this.communities[key] || communityLabel(this.room, key, this.lang); }

  // Texts in the reader's language -------------------------------------------------------

  /** The programme's languages, in order (the welcome's). @returns {readonly string[]} */
  get languages() { return this.room.session?.languages ?? []; }

  /** @param {string} code a language of the programme */
  languageName(code) { return this.languageNames[code] || code; }

  /**
   * A text of the facilitators' in this reader's language, or the fallback the server would pick.
   * @param {Texts | string | null | undefined} texts
   * @returns {Shown}
   */
  pick(texts) { return pickText(texts, this.lang, this.languages); }

  /**
   * An element holding such a text, with its `lang` and, for a fallback, a "Not translated yet" note.
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag
   * @param {Attrs} attrs
   * @param {Texts | string | null | undefined} texts
   */
  text(tag, attrs, texts) {
    return shownText(tag, attrs, this.pick(texts), { lang: this.lang, note: this.t("text.not_translated") });
  }

  /**
   * A name as this reader reads it: a pseudonym or the default facilitator label in the page's language.
   * @param {string | null | undefined} name
   */
  nameLabel(name) { return nameLabel(name, this.lang); }

  /** @param {number | null | undefined} seatId */
  seatName(seatId) { return this.nameLabel(seatName(this.room, seatId)); }

  // Everything ----------------------------------------------------------------------

  renderAll() {
    for (const panel of this.#panels.values()) panel.render();
    this.onChange("all");
  }

  /**
   * One room event, with what applyEvent() said changed: the panels that care redraw.
   * @param {Change} change
   * @param {RoomEvent} frame
   */
  update(change, frame) {
    for (const Panel of this.routes.get(frame.type) ?? []) {
      const panel = this.panel(Panel);
      if (panel.update) panel.update(change, frame);
      else panel.render();
    }
    this.onChange(change.kind, frame);
  }

  tick() {
    for (const panel of this.#panels.values()) panel.tick?.();
  }

  // Parts others ask for --------------------------------------------------------------

  renderStatus() { this.panel(StatusPanel).render(); }

  renderComposer() { this.panel(ComposerPanel).render(); }

  /** @param {Statement} statement */
  replyTo(statement) { this.panel(ComposerPanel).replyTo(statement); }
}
