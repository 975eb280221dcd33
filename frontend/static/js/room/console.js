// @ts-check
// The facilitator's console: the room (view.js) plus the panels only facilitators have —
// the session and agenda runner (panels/session.js), lobby admissions (lobby.js), the
// balance between communities (balance.js), the back-channel (backchannel.js), a thread per
// participant's private check-in (checkins.js), alerts and
// the audit log (alerts.js), breakout groups: drawing, opening and running them (groups.js) — and the controls it adds inside the room's own panels: the
// floor, rounds and polls, and moderation of each seat and statement with a reason.

/**
 * @import { Round, SeatSummary, Statement } from "./types.js"
 * @import { PanelClass } from "./panels/routes.js"
 * @import { FacilitatorControls, RoomViewOptions } from "./view.js"
 */

import { ask, askReason, confirmAction, h } from "./dom.js";
import { AlertsPanel } from "./panels/alerts.js";
import { BackchannelPanel } from "./panels/backchannel.js";
import { BalancePanel } from "./panels/balance.js";
import { CheckInsPanel } from "./panels/checkins.js";
import { GroupsPanel } from "./panels/groups.js";
import { LobbyPanel } from "./panels/lobby.js";
import { SessionPanel } from "./panels/session.js";
import { ROOM_PANELS, RoomView } from "./view.js";

/**
 * The console's panels, in the order they are drawn: the room's, then the facilitators'.
 * @type {readonly PanelClass[]}
 */
export const CONSOLE_PANELS = [...ROOM_PANELS, BalancePanel, SessionPanel, GroupsPanel, BackchannelPanel, CheckInsPanel, AlertsPanel, LobbyPanel];

export class ConsoleView extends RoomView {
  /** @param {Omit<RoomViewOptions, "panels">} options */
  constructor(options) {
    super({ ...options, panels: CONSOLE_PANELS });
    this.controls = facilitatorControls(this);
  }
}

/**
 * @param {RoomView} view
 * @returns {FacilitatorControls}
 */
function facilitatorControls(view) {
  const t = view.t;
  const room = view.room;
  /** @type {{key: string, el: HTMLFormElement} | null} */
  let pollForm = null;
  return {
    // Floor: give it to the next in the queue, take it back, move someone up.
    floor() {
      if (!view.facilitator) return null;
      const floor = room.floor;
      return h("div", { class: "actions" },
        floor.queue[0] ? h("button", { dataset: { action: "floor_give" }, type: "button", text: t("floor.give_next", { name: view.seatName(floor.queue[0]) }),
                                       onclick: () => view.run("floor_give", { seat_id: floor.queue[0] }) }) : null,
        floor.seat_id ? h("button", { dataset: { action: "floor_take" }, type: "button", class: "secondary", text: t("floor.take"), onclick: () => view.run("floor_take") }) : null,
        floor.queue.slice(1).map((id) => h("button", { type: "button", class: "link-button", text: t("floor.move_up", { name: view.seatName(id) }),
                                                       onclick: () => view.run("queue_move", { seat_id: id, position: floor.queue.indexOf(id) }) })),
        // The room's way of speaking, switched during the session.
        room.session?.speaking_mode === "queued"
          ? h("button", { type: "button", class: "link-button", dataset: { action: "speaking_mode" }, text: t("floor.to_open"),
                          onclick: () => view.run("speaking_mode", { mode: "open" }) })
          : h("button", { type: "button", class: "link-button", dataset: { action: "speaking_mode" }, text: t("floor.to_queued"),
                          onclick: () => view.run("speaking_mode", { mode: "queued" }) }));
    },

    // Round: the next turn, the end, and the order of those still to speak.
    /** @param {Round} round */
    round(round) {
      const pending = round.turns.filter((turn) => turn.outcome === "pending").map((turn) => turn.seat_id);
      const later = pending.filter((id) => id !== round.current_seat_id);
      return [h("div", { class: "actions", role: "group", "aria-label": t("round.controls") },
        h("button", { dataset: { action: "round_next" }, type: "button", text: t("round.next"), onclick: () => view.run("round_next", { round_id: round.id }) }),
        h("button", { type: "button", class: "secondary", dataset: { action: "round_end" }, text: t("round.end"), onclick: () => view.run("round_end", { round_id: round.id }) })),
      later.length ? h("ul", { class: "round-edit" }, later.map((id) => h("li", {}, h("span", { text: view.seatName(id) }), " ",
        h("button", { type: "button", class: "link-button", text: t("round.earlier"), disabled: pending.indexOf(id) <= 1,
                      onclick: () => {
                        const order = [...pending];
                        const i = order.indexOf(id);
                        [order[i - 1], order[i]] = [order[i], order[i - 1]];
                        view.run("round_reorder", { round_id: round.id, order });
                      } }),
        h("button", { dataset: { action: "round_skip" }, type: "button", class: "link-button", text: t("round.skip"),
                      onclick: () => view.run("round_skip", { round_id: round.id, seat_id: id }) })))) : null];
    },

    // Polls: close an open one, open a new one (its words in each of the programme's languages).
    polls() {
      const open = [...room.polls.values()].filter((p) => p.status === "open");
      const key = view.languages.join(" ");
      if (!pollForm || pollForm.key !== key) pollForm = { key, el: newPollForm(view) };  // kept across redraws: typing survives events
      return h("div", { class: "card poll-controls" },
        open.map((poll) => h("button", { dataset: { action: "poll_close" }, type: "button", class: "secondary",
                                         text: t("poll.close", { question: view.pick(poll.question).text }),
                                         onclick: () => view.run("poll_close", { poll_id: poll.id }) })),
        pollForm.el);
    },

    // A seat: mute or unmute, write a check-in; behind its menu send to the lobby, remove, ban (with a reason).
    /** @param {SeatSummary} seat */
    seat(seat) {
      if (!view.facilitator || seat.seat_id === room.you?.seat_id || seat.role === "facilitator") return null;
      const muted = room.muted.has(seat.seat_id);
      const name = view.nameLabel(seat.display_name);
      /**
       * @param {"send_to_lobby" | "remove" | "ban"} type
       * @param {string} key
       */
      const act = (type, key) => h("button", { type: "button", class: "link-button", dataset: { action: type, seat: seat.seat_id }, text: t(key),
        "aria-label": `${t(key)}: ${name}`,
        onclick: async () => {
          const reason = await askReason(t, `moderation.${type}`);
          if (reason) await view.run(type, { seat_id: seat.seat_id, reason });
        } });
      return h("span", { class: "seat-controls" },
        muted
          ? h("button", { dataset: { action: "unmute" }, type: "button", class: "link-button", text: t("moderation.unmute"), "aria-label": `${t("moderation.unmute")}: ${name}`,
                          onclick: () => view.run("unmute", { seat_id: seat.seat_id }) })
          : h("button", { type: "button", class: "link-button", dataset: { action: "mute", seat: seat.seat_id }, text: t("moderation.mute"), "aria-label": `${t("moderation.mute")}: ${name}`,
                          onclick: async () => {
                            const reason = await ask({ title: t("moderation.mute"), label: t("moderation.reason"), submit: t("moderation.mute"),
                                                       cancel: t("action.cancel"), required: false });
                            if (reason !== null) await view.run("mute", { seat_id: seat.seat_id, minutes: 5, reason: reason || null });
                          } }),
        h("button", { type: "button", class: "link-button", text: t("checkin.write"), "aria-label": `${t("checkin.write")}: ${name}`,
                      onclick: async () => {
                        const text = await ask({ title: t("checkin.write"), label: t("checkin.message"), submit: t("checkin.send"),
                                                 cancel: t("action.cancel"), maxLength: view.maxStatementChars });
                        if (text) await view.run("check_in", { seat_id: seat.seat_id, text });
                      } }),
        // What sends someone away is not next to the everyday buttons: behind a menu, then a reason.
        h("details", { class: "seat-menu" },
          h("summary", { "aria-label": `${t("moderation.more")}: ${name}`, text: t("moderation.more") }),
          h("div", { class: "menu" },
            act("send_to_lobby", "moderation.send_to_lobby"), act("remove", "moderation.remove"), act("ban", "moderation.ban"))));
    },

    // A hidden statement: read what was hidden (this facilitator only; audit-logged), show it again.
    /** @param {Statement} statement */
    hidden(statement) {
      if (!view.facilitator || statement.state !== "hidden") return null;
      return h("span", { class: "statement-actions hidden-controls" },
        h("button", { type: "button", class: "link-button", dataset: { action: "hidden_read" }, text: t("moderation.read_hidden"),
                      onclick: async () => {
                        const result = /** @type {{text: string, reason: string | null} | null} */ (await view.run("hidden_read", { statement_id: statement.id }));
                        if (!result) return;
                        const again = await confirmAction({ title: t("moderation.hidden_title"),
                                                            text: `${result.text}${result.reason ? `\n\n${t("moderation.hidden_reason", { reason: result.reason })}` : ""}`,
                                                            submit: t("moderation.unhide"), cancel: t("action.close") });
                        if (again) await view.run("unhide", { statement_id: statement.id });
                      } }),
        h("button", { type: "button", class: "link-button", dataset: { action: "unhide" }, text: t("moderation.unhide"),
                      onclick: () => view.run("unhide", { statement_id: statement.id }) }));
    },

    // A statement: hide it, with a reason.
    /** @param {Statement} statement */
    statement(statement) {
      if (!view.facilitator) return null;
      return h("button", { type: "button", class: "link-button danger", dataset: { action: "hide" }, text: t("moderation.hide"),
                           onclick: async () => {
                             const reason = await askReason(t, "moderation.hide");
                             if (reason) await view.run("hide", { statement_id: statement.id, reason });
                           } });
    },
  };
}

/**
 * The options as written one per line in each language, zipped by line: line N of every
 * language is option N (a language left blank on a line is not written yet for that option).
 * Lines blank in every language are left out.
 * @param {Record<string, string>} written language → the textarea's text ("" → a plain string)
 * @returns {(string | Record<string, string>)[]}
 */
export function zipOptions(written) {
  const lines = Object.fromEntries(Object.entries(written).map(([language, text]) => [language, text.split("\n").map((l) => l.trim())]));
  const count = Math.max(0, ...Object.values(lines).map((l) => l.length));
  /** @type {(string | Record<string, string>)[]} */
  const options = [];
  for (let i = 0; i < count; i += 1) {
    /** @type {Record<string, string>} */
    const option = {};
    for (const [language, list] of Object.entries(lines)) if (list[i]) option[language] = list[i];
    if (!Object.keys(option).length) continue;
    options.push("" in option ? option[""] : option);
  }
  return options;
}

/**
 * The question as written in each language: a map of the languages written, a plain string
 * when the programme's languages are not known yet, null when none is written (then the
 * poll item's prompt is the question).
 * @param {Record<string, string>} written
 * @returns {string | Record<string, string> | null}
 */
export function writtenQuestion(written) {
  const texts = Object.fromEntries(Object.entries(written).map(([language, text]) => [language, text.trim()]).filter(([, text]) => text));
  if ("" in texts) return texts[""];
  return Object.keys(texts).length ? texts : null;
}

/**
 * A new poll: one question field and one options box per language of the programme, each
 * labelled with the language's name and marked while still empty.
 * @param {RoomView} view
 * @returns {HTMLFormElement}
 */
function newPollForm(view) {
  const t = view.t;
  const languages = view.languages.length ? view.languages : [""]; // "" before the welcome said them
  /**
   * @param {string} language
   * @param {"question" | "options"} part
   * @param {HTMLInputElement | HTMLTextAreaElement} input
   */
  const field = (language, part, input) => {
    const id = `poll-${part}${language ? `-${language}` : ""}`;
    input.id = id;
    if (language) input.lang = language;
    const missing = h("span", { class: "muted small missing", id: `${id}-missing`, text: t("poll.missing") });
    const mark = () => { missing.hidden = !!input.value.trim(); };
    input.addEventListener("input", mark);
    if (language) input.setAttribute("aria-describedby", missing.id);
    mark();
    return h("div", { class: "field" },
      h("label", { for: id, text: language ? view.languageName(language) : t(part === "question" ? "poll.question" : "poll.options") }),
      language ? [" ", missing] : null, input);
  };
  /** @type {Record<string, HTMLInputElement>} */
  const questions = {};
  /** @type {Record<string, HTMLTextAreaElement>} */
  const options = {};
  for (const language of languages) {
    questions[language] = h("input", { type: "text", maxlength: 500 });
    options[language] = h("textarea", { rows: 3 });
  }
  const multiple = h("input", { type: "checkbox", id: "poll-multiple" });
  const named = h("input", { type: "checkbox", id: "poll-named" });
  const several = languages.length > 1 || languages[0] !== "";
  const form = h("form", { class: "poll-new" },
    h("h3", { text: t("poll.new") }),
    several
      ? [h("fieldset", {}, h("legend", { text: t("poll.question") }), languages.map((l) => field(l, "question", questions[l]))),
         h("fieldset", {}, h("legend", { text: t("poll.options") }),
           h("p", { class: "muted small", text: t("poll.options_by_line") }), languages.map((l) => field(l, "options", options[l])))]
      : [field("", "question", questions[""]), field("", "options", options[""])],
    h("label", {}, multiple, " ", t("poll.multiple")),
    h("label", {}, named, " ", t("poll.not_anonymous")),
    h("button", { type: "submit", text: t("poll.open") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (/** @type {Record<string, HTMLInputElement | HTMLTextAreaElement>} */ inputs) =>
      Object.fromEntries(Object.entries(inputs).map(([language, input]) => [language, input.value]));
    const result = await view.run("poll_open", { question: writtenQuestion(value(questions)), options: zipOptions(value(options)),
                                                 multiple: multiple.checked, anonymous: !named.checked });
    if (result) {
      form.reset();
      for (const input of [...Object.values(questions), ...Object.values(options)]) input.dispatchEvent(new Event("input"));
    }
  });
  return form;
}
