// @ts-check
// The connection's state and the session's status, in the room's header; while the session
// is paused, the reason the facilitator gave and their pause message (in the reader's language) above the room.
//
// The connection line has two parts. The pill ([data-part=connection], a polite live region in
// the template) says the phase: connecting, connected, offline, or why the room ended here. Its
// text changes only when the phase does, so a screen reader hears "offline" once per outage and
// "connected" once when it is back, never once per attempt. Beside it, outside the live region,
// the detail: "Reconnecting in 8 s…" (counting down every second) with a "Try now" button, or
// "Connection lost. Trying again…" while an attempt is under way.

/** @import { Change, CloseInfo, ConnectionState, RoomEventType, Translate } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { CLOSE } from "../connection.js";
import { h, mayFind, mustFind, replace } from "../dom.js";

/**
 * What connectionStatus() reads of a RoomConnection.
 * @typedef {object} ConnectionSummary
 * @property {ConnectionState} state
 * @property {boolean} retrying a connection was lost and none welcomed since
 * @property {number | null} reconnectIn ms until the next attempt, while one waits
 * @property {CloseInfo | null} ended the final close
 */
/**
 * What the connection line shows.
 * @typedef {object} ConnectionStatus
 * @property {"connecting" | "open" | "offline" | "ended"} phase the pill's data-state
 * @property {string} text the pill's (announced when it changes)
 * @property {string} detail beside it, not announced; "" for none
 * @property {boolean} tryNow whether the "Try now" button is offered
 */

/**
 * @param {ConnectionSummary} connection
 * @param {Translate} t
 * @returns {ConnectionStatus}
 */
export function connectionStatus(connection, t) {
  const { state, retrying, reconnectIn, ended } = connection;
  if (state === "ended") {
    const key = ended?.code === CLOSE.LOGIN_ENDED ? "connection.login_ended"
      : ended?.code === CLOSE.ELSEWHERE ? "connection.elsewhere" : "connection.ended";
    return { phase: "ended", text: t(key), detail: "", tryNow: false };
  }
  if (!retrying) {
    return state === "open"
      ? { phase: "open", text: t("connection.open"), detail: "", tryNow: false }
      : { phase: "connecting", text: t("connection.connecting"), detail: "", tryNow: false };
  }
  // Lost: offline and waiting, or trying again (a socket open but not yet welcomed is still trying).
  const waiting = state === "offline" && reconnectIn != null && reconnectIn >= 1000;
  return {
    phase: "offline",
    text: t("connection.offline"),
    detail: waiting ? t("connection.retry_in", { seconds: Math.ceil(reconnectIn / 1000) }) : t("connection.trying"),
    tryNow: waiting,
  };
}

/**
 * The last moment a participant may withdraw a statement: the session's end plus the
 * programme's window (app/transcripts/service.py: withdrawal_deadline, the same rule).
 * @param {string | null} endedAt
 * @param {number} hours
 * @returns {Date | null}
 */
export function withdrawalDeadline(endedAt, hours) {
  const ended = endedAt ? Date.parse(endedAt) : NaN;
  return Number.isFinite(ended) && Number.isFinite(hours) ? new Date(ended + hours * 3600_000) : null;
}

/**
 * A deadline as a reader of `lang` writes a date and time, in their own time zone.
 * @param {Date} date
 * @param {string} lang
 */
export function formatDeadline(date, lang) {
  try {
    // A browser without this language's calendar data would write it in English: numbers then.
    if (Intl.DateTimeFormat.supportedLocalesOf([lang]).length) {
      return new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" }).format(date);
    }
  } catch { /* an unknown language tag: numbers below */ }
  const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export class StatusPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["session_status"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.connection = mustFind(view.root, "[data-part=connection]");
    this.session = mayFind(view.root, "[data-part=session-status]");
    this.pause = mayFind(view.root, "[data-part=pause-message]");
    this.closingPart = mayFind(view.root, "[data-part=closing]");
    this.closingShown = false;
    this.pauseShown = ""; // what the pause message shows now: drawn again only when it changes
    this.detailText = h("span", {});
    this.tryNow = h("button", { type: "button", class: "link-button", dataset: { action: "try_now" }, hidden: true,
                                text: view.t("connection.try_now"), onclick: () => view.connection.retryNow() });
    this.detail = h("span", { class: "reconnect", dataset: { part: "reconnect" }, hidden: true },
      this.detailText, " ", this.tryNow);
    this.connection.after(this.detail);
  }

  render() {
    const t = this.view.t;
    const status = connectionStatus(this.view.connection, t);
    this.connection.dataset.state = status.phase;
    // Only a changed text: setting the same one again may be read out again.
    if (this.connection.textContent !== status.text) this.connection.textContent = status.text;
    this.#renderDetail(status);
    const session = this.view.room.session?.status;
    if (this.session) {
      this.session.textContent = session ? t(`status.${session}`) : "";
      this.session.dataset.status = session || "";
    }
    // The room's own mark of the session's state: a closed session hides what no longer applies (room.css).
    this.view.root.dataset.session = session || "";
    this.#renderPause();
    this.#renderClosing();
  }

  // When the session ends, a participant's room becomes a closing screen: thanks, the short
  // survey after the session, what happens to the transcript, until when they may withdraw
  // their words, and where to do it.
  #renderClosing() {
    if (!this.closingPart) return;
    const status = this.view.room.session?.status;
    const closed = (status === "ended" || status === "archived") && !this.view.facilitator;
    if (closed === this.closingShown) return;
    this.closingShown = closed;
    this.closingPart.hidden = !closed;
    if (!closed) { replace(this.closingPart); return; }
    const t = this.view.t;
    const { keepTranscript, withdrawalHours } = this.view.closing;
    const endedAt = this.view.room.session?.ended_at;
    const deadline = withdrawalDeadline(endedAt ?? null, withdrawalHours);
    // The post-survey, for participants (its page says whether it is still open, and to whom).
    const survey = this.view.room.you?.role === "participant" ? this.view.links.survey : undefined;
    replace(this.closingPart,
      h("h2", { text: t("closing.title") }),
      h("p", { text: t("closing.ended") }),
      survey ? h("div", { class: "closing-survey", dataset: { part: "closing-survey" } },
        h("p", { text: t("closing.survey") }),
        h("p", {}, h("a", { class: "button", href: survey, text: t("closing.answer_survey") }))) : null,
      h("p", { text: keepTranscript ? t("closing.transcript") : t("closing.no_transcript") }),
      keepTranscript && deadline ? h("p", { dataset: { part: "withdraw-until" } },
        t("closing.withdraw_until", { date: formatDeadline(deadline, this.view.lang) })) : null,
      keepTranscript ? h("p", {}, h("a", { class: "button", href: this.view.links.waiting, text: t("closing.your_statements") })) : null);
  }

  // The pause message, while paused: the status line redraws at every change of the
  // connection, and the message (a live region) must not be read out again each time.
  #renderPause() {
    if (!this.pause) return;
    const { room } = this.view;
    const paused = room.session?.status === "paused";
    const message = paused ? room.session?.pause_message : null;
    const reason = paused ? room.session?.pause_reason ?? "" : "";
    const shown = this.view.pick(message);
    const key = paused ? `${shown.language}:${shown.text}:${reason}` : "";
    if (key === this.pauseShown) return;
    this.pauseShown = key;
    this.pause.hidden = !paused;
    // The reason is the facilitator's own words (their language); the preset message is picked in the reader's.
    replace(this.pause, paused ? [
      h("h2", { text: this.view.t("status.paused") }),
      reason ? h("p", { class: "pause-reason", dataset: { part: "pause-reason" } }, this.view.t("status.pause_reason"), " ", h("q", { text: reason })) : null,
      shown.text ? this.view.text("p", {}, message) : null,
    ] : null);
  }

  // The countdown, every second.
  tick() {
    this.#renderDetail(connectionStatus(this.view.connection, this.view.t));
  }

  /** @param {ConnectionStatus} status */
  #renderDetail(status) {
    this.detail.hidden = !status.detail;
    if (this.detailText.textContent !== status.detail) this.detailText.textContent = status.detail;
    this.tryNow.hidden = !status.tryNow;
  }

  /** @param {Change} change */
  update(change) {
    this.render();
    if (change.kind === "status") this.view.announce(this.view.t(`status.${change.status}`));
  }
}
