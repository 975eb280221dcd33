// The facilitator's console: the room (view.js) plus the controls only facilitators have —
// the session and agenda runner, lobby admissions, floor, rounds and polls, moderation of
// each seat and statement with a reason, the balance between communities, the
// back-channel, alerts (break requests, reports, time-up) and the audit log.

import { ask, h, replace } from "./dom.js";
import { RoomView } from "./view.js";
import { seatName } from "./state.js";

export class ConsoleView extends RoomView {
  constructor(options) {
    super(options);
    this.api = options.api; // fetch wrapper for the session's JSON API (CSRF header included)
    this.c = {
      session: this.root.querySelector("[data-part=session-controls]"),
      lobby: this.root.querySelector("[data-part=lobby]"),
      balance: this.root.querySelector("[data-part=balance]"),
      backchannel: this.root.querySelector("[data-part=backchannel]"),
      alerts: this.root.querySelector("[data-part=alerts]"),
      audit: this.root.querySelector("[data-part=audit]"),
    };
    this.balanceDue = null;
  }

  reason(titleKey) {
    const t = this.t;
    return ask({ title: t(titleKey), label: t("moderation.reason"), submit: t("action.confirm"), cancel: t("action.cancel") });
  }

  renderAll() {
    super.renderAll();
    if (!this.c.balance.childElementCount) {
      replace(this.c.balance, h("h2", { text: this.t("balance.title") }), h("p", { class: "muted", text: "…" }));
    }
    this.renderSessionControls();
    this.renderBackchannel();
    this.renderAlerts();
    this.refreshLobby();
    this.refreshBalance();
  }

  update(change, frame) {
    super.update(change, frame);
    if (["status", "agenda"].includes(change.kind)) this.renderSessionControls();
    if (change.kind === "message") this.renderBackchannel();
    if (change.kind === "alert") {
      this.renderAlerts();
      this.announce(this.alertText(change.alert));
    }
    if (change.kind === "seat") this.refreshLobby();
    if (change.kind === "statement" || change.kind === "agenda" || change.kind === "statement_changed") this.refreshBalance();
  }

  // Session and agenda ----------------------------------------------------------------

  renderSessionControls() {
    const t = this.t;
    const status = this.room.session?.status;
    const item = this.room.agenda?.item ?? null;
    const current = item ? item.id : null;
    const button = (key, type, fields = {}, cls = "") => h("button", { type: "button", class: cls, dataset: { action: type }, text: t(key),
                                                                          onclick: () => this.run(type, fields) });
    const session = h("div", { class: "actions", role: "group", "aria-label": t("console.session") },
      status === "open" ? button("console.start", "session_start") : null,
      status === "live" ? h("button", { type: "button", class: "secondary", dataset: { action: "session_pause" }, text: t("console.pause"), onclick: async () => {
        const reason = await ask({ title: t("console.pause"), label: t("console.pause_reason"), submit: t("console.pause"),
                                   cancel: t("action.cancel"), required: false });
        if (reason !== null) await this.run("session_pause", { reason: reason || null });
      } }) : null,
      status === "paused" ? button("console.resume", "session_resume") : null,
      ["live", "paused"].includes(status) ? h("button", { dataset: { action: "session_end" }, type: "button", class: "danger", text: t("console.end"), onclick: () => {
        if (confirm(t("console.end_confirm"))) this.run("session_end");
      } }) : null);
    const running = this.room.agenda?.running;
    const agenda = status === "live" || status === "paused" ? h("div", { class: "actions", role: "group", "aria-label": t("console.agenda") },
      button("console.back", "agenda_back", { current_item_id: current }, "secondary"),
      button(current ? "console.next" : "console.first", "agenda_next", { current_item_id: current }),
      item ? button(running ? "console.pause_clock" : "console.resume_clock", running ? "agenda_pause" : "agenda_resume", { item_id: current }, "secondary") : null,
      item ? button("console.extend", "agenda_extend", { item_id: current, minutes: 5 }, "secondary") : null) : null;
    const settings = h("div", { class: "actions settings" },
      h("label", {}, t("console.slow_mode"), " ", (() => {
        const select = h("select", { "aria-label": t("console.slow_mode") }, [0, 10, 30, 60, 120].map((s) =>
          h("option", { value: s, selected: s === this.room.slowModeSeconds, text: s ? t("console.seconds", { count: s }) : t("console.off") })));
        select.addEventListener("change", () => this.run("slow_mode", { seconds: Number(select.value) }));
        return select;
      })()),
      h("button", { type: "button", class: "secondary", dataset: { action: "lock" }, "aria-pressed": String(this.room.locked),
                    text: this.room.locked ? t("console.unlock") : t("console.lock"),
                    onclick: () => this.run("lock", { locked: !this.room.locked }) }));
    replace(this.c.session, session, agenda, settings,
      h("div", { class: "actions" },
        h("button", { dataset: { action: "round_start" }, type: "button", class: "secondary", text: t("console.start_round"), disabled: status !== "live" || !!this.room.round,
                      onclick: () => this.run("round_start", {}) })));
  }

  // Floor, rounds, polls ----------------------------------------------------------------

  facilitatorFloorControls() {
    if (!this.facilitator) return null;
    const t = this.t;
    const floor = this.room.floor;
    return h("div", { class: "actions" },
      floor.queue[0] ? h("button", { dataset: { action: "floor_give" }, type: "button", text: t("floor.give_next", { name: seatName(this.room, floor.queue[0]) }),
                                     onclick: () => this.run("floor_give", { seat_id: floor.queue[0] }) }) : null,
      floor.seat_id ? h("button", { dataset: { action: "floor_take" }, type: "button", class: "secondary", text: t("floor.take"), onclick: () => this.run("floor_take") }) : null,
      floor.queue.slice(1).map((id) => h("button", { type: "button", class: "link-button", text: t("floor.move_up", { name: seatName(this.room, id) }),
                                                     onclick: () => this.run("queue_move", { seat_id: id, position: floor.queue.indexOf(id) }) })));
  }

  renderRound() {
    super.renderRound();
    const round = this.room.round;
    if (!round || !this.facilitator) return;
    const t = this.t;
    const pending = round.turns.filter((turn) => turn.outcome === "pending").map((turn) => turn.seat_id);
    const later = pending.filter((id) => id !== round.current_seat_id);
    this.el.round.append(h("div", { class: "actions", role: "group", "aria-label": t("round.controls") },
      h("button", { dataset: { action: "round_next" }, type: "button", text: t("round.next"), onclick: () => this.run("round_next", { round_id: round.id }) }),
      h("button", { type: "button", class: "secondary", dataset: { action: "round_end" }, text: t("round.end"), onclick: () => this.run("round_end", { round_id: round.id }) })),
    later.length ? h("ul", { class: "round-edit" }, later.map((id) => h("li", {}, h("span", { text: seatName(this.room, id) }), " ",
      h("button", { type: "button", class: "link-button", text: t("round.earlier"), disabled: pending.indexOf(id) <= 1,
                    onclick: () => {
                      const order = [...pending];
                      const i = order.indexOf(id);
                      [order[i - 1], order[i]] = [order[i], order[i - 1]];
                      this.run("round_reorder", { round_id: round.id, order });
                    } }),
      h("button", { dataset: { action: "round_skip" }, type: "button", class: "link-button", text: t("round.skip"),
                    onclick: () => this.run("round_skip", { round_id: round.id, seat_id: id }) })))) : null);
  }

  facilitatorPollControls() {
    const t = this.t;
    const open = [...this.room.polls.values()].filter((p) => p.status === "open");
    const question = h("input", { type: "text", id: "poll-question", maxlength: 500 });
    const options = h("textarea", { id: "poll-options", rows: 3 });
    const multiple = h("input", { type: "checkbox", id: "poll-multiple" });
    const named = h("input", { type: "checkbox", id: "poll-named" });
    const form = h("form", { class: "poll-new" },
      h("h3", { text: t("poll.new") }),
      h("label", { for: "poll-question", text: t("poll.question") }), question,
      h("label", { for: "poll-options", text: t("poll.options") }), options,
      h("label", {}, multiple, " ", t("poll.multiple")),
      h("label", {}, named, " ", t("poll.not_anonymous")),
      h("button", { type: "submit", text: t("poll.open") }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const list = options.value.split("\n").map((o) => o.trim()).filter(Boolean);
      const result = await this.run("poll_open", { question: question.value.trim() || null, options: list,
                                                   multiple: multiple.checked, anonymous: !named.checked });
      if (result) form.reset();
    });
    return h("div", { class: "card poll-controls" },
      open.map((poll) => h("button", { dataset: { action: "poll_close" }, type: "button", class: "secondary", text: t("poll.close", { question: poll.question }),
                                       onclick: () => this.run("poll_close", { poll_id: poll.id }) })),
      form);
  }

  // Moderation ------------------------------------------------------------------------

  facilitatorSeatControls(seat) {
    if (!this.facilitator || seat.seat_id === this.room.you?.seat_id || seat.role === "facilitator") return null;
    const t = this.t;
    const muted = this.room.muted.has(seat.seat_id);
    const name = seat.display_name;
    const act = (type, key) => h("button", { type: "button", class: "link-button", dataset: { action: type, seat: seat.seat_id }, text: t(key),
      "aria-label": `${t(key)}: ${name}`,
      onclick: async () => {
        const reason = await this.reason(`moderation.${type}`);
        if (reason) await this.run(type, { seat_id: seat.seat_id, reason });
      } });
    return h("span", { class: "seat-controls" },
      muted
        ? h("button", { dataset: { action: "unmute" }, type: "button", class: "link-button", text: t("moderation.unmute"), "aria-label": `${t("moderation.unmute")}: ${name}`,
                        onclick: () => this.run("unmute", { seat_id: seat.seat_id }) })
        : h("button", { type: "button", class: "link-button", dataset: { action: "mute", seat: seat.seat_id }, text: t("moderation.mute"), "aria-label": `${t("moderation.mute")}: ${name}`,
                        onclick: async () => {
                          const reason = await ask({ title: t("moderation.mute"), label: t("moderation.reason"), submit: t("moderation.mute"),
                                                     cancel: t("action.cancel"), required: false });
                          if (reason !== null) await this.run("mute", { seat_id: seat.seat_id, minutes: 5, reason: reason || null });
                        } }),
      act("send_to_lobby", "moderation.send_to_lobby"), act("remove", "moderation.remove"), act("ban", "moderation.ban"),
      h("button", { type: "button", class: "link-button", text: t("checkin.write"), "aria-label": `${t("checkin.write")}: ${name}`,
                    onclick: async () => {
                      const text = await ask({ title: t("checkin.write"), label: t("checkin.message"), submit: t("checkin.send"),
                                               cancel: t("action.cancel"), maxLength: 2000 });
                      if (text) await this.run("check_in", { seat_id: seat.seat_id, text });
                    } }));
  }

  facilitatorStatementControls(statement) {
    if (!this.facilitator) return null;
    const t = this.t;
    return h("button", { type: "button", class: "link-button danger", dataset: { action: "hide" }, text: t("moderation.hide"),
                         onclick: async () => {
                           const reason = await this.reason("moderation.hide");
                           if (reason) await this.run("hide", { statement_id: statement.id, reason });
                         } });
  }

  // Lobby (HTTP API) --------------------------------------------------------------------

  async refreshLobby() {
    const t = this.t;
    // Several refreshes can be in flight (an admission and its event): only the newest may
    // draw, or a slower, older answer would show someone still waiting.
    const ticket = (this.lobbyTicket = (this.lobbyTicket ?? 0) + 1);
    let seats;
    try {
      seats = await this.api("GET", "seats");
    } catch {
      return;
    }
    if (ticket !== this.lobbyTicket) return;
    const waiting = seats.filter((s) => s.status === "lobby");
    replace(this.c.lobby,
      h("h2", { text: t("lobby.title", { count: waiting.length }) }),
      waiting.length ? h("ul", {}, waiting.map((seat) => h("li", {},
        h("span", { text: seat.display_name }), " ",
        seat.community ? h("span", { class: "badge community", dataset: { community: seat.community }, text: this.communityLabel(seat.community) }) : null,
        h("button", { type: "button", dataset: { action: "admit", seat: seat.id }, text: t("lobby.admit"), "aria-label": `${t("lobby.admit")}: ${seat.display_name}`,
                      onclick: () => this.lobby(`seats/${seat.id}/admit`) }),
        h("button", { type: "button", class: "link-button", text: t("lobby.refuse"), "aria-label": `${t("lobby.refuse")}: ${seat.display_name}`,
                      onclick: async () => {
                        const reason = await this.reason("lobby.refuse");
                        if (reason) await this.lobby(`seats/${seat.id}/refuse`, { reason });
                      } })))) : h("p", { class: "muted", text: t("lobby.empty") }),
      waiting.length > 1 ? h("button", { type: "button", class: "secondary", text: t("lobby.admit_all"), onclick: () => this.lobby("lobby/admit-all") }) : null);
  }

  async lobby(path, body = {}) {
    try {
      await this.api("POST", path, body);
    } catch (error) {
      this.flash(error.message || this.t("error.generic"));
    }
    this.refreshLobby();
  }

  // Balance -----------------------------------------------------------------------------

  refreshBalance() {
    clearTimeout(this.balanceDue);
    this.balanceDue = setTimeout(async () => {
      if (this.connection.state !== "open") return;
      const balance = await this.run("balance");
      if (balance) this.renderBalance(balance);
    }, 400);
  }

  renderBalance(balance) {
    const t = this.t;
    const table = (title, part) => part ? h("table", { class: "balance" },
      h("caption", { text: title }),
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("balance.community") }), h("th", { scope: "col", text: t("balance.turns") }),
                                 h("th", { scope: "col", text: t("balance.words") }))),
      h("tbody", {}, part.communities.map((c) => h("tr", {},
        h("th", { scope: "row", text: this.communityLabel(c.key) }),
        h("td", {}, `${c.turns} · ${Math.round(c.turn_share * 100)}%`, h("meter", { min: 0, max: 1, value: c.turn_share, "aria-hidden": "true" })),
        h("td", {}, `${c.words} · ${Math.round(c.word_share * 100)}%`, h("meter", { min: 0, max: 1, value: c.word_share, "aria-hidden": "true" })))))) : null;
    replace(this.c.balance, h("h2", { text: t("balance.title") }), table(t("balance.session"), balance.session),
      table(t("balance.item"), balance.item));
  }

  // Back-channel, alerts, audit -----------------------------------------------------------

  renderBackchannel() {
    const t = this.t;
    const messages = this.room.messages;
    const input = h("input", { type: "text", maxlength: 2000, "aria-label": t("backchannel.message") });
    const form = h("form", { class: "inline-form" }, input, h("button", { type: "submit", text: t("backchannel.send") }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (text && await this.run("backchannel", { text })) input.value = "";
    });
    replace(this.c.backchannel,
      h("h2", { text: t("backchannel.title") }),
      h("p", { class: "muted", text: t("backchannel.note") }),
      h("ul", { class: "messages" }, messages.map((m) => h("li", { class: m.channel },
        h("strong", { text: m.author }), " ",
        m.channel === "check_in" ? h("span", { class: "badge", text: t("checkin.with", { name: seatName(this.room, m.about_seat_id) }) }) : null,
        " ", m.text))),
      form);
  }

  alertText(alert) {
    const t = this.t;
    if (alert.type === "break_requested") return t("alert.break", { name: seatName(this.room, alert.seat_id) });
    if (alert.type === "report_made") return t("alert.report", { name: seatName(this.room, alert.seat_id), reason: alert.reason || "—" });
    if (alert.type === "time_up") return t("alert.time_up", { title: alert.title });
    return "";
  }

  renderAlerts() {
    const t = this.t;
    const alerts = this.room.alerts.slice(-20).reverse();
    replace(this.c.alerts, h("h2", { text: t("alert.title", { count: alerts.length }) }),
      alerts.length ? h("ul", {}, alerts.map((a) => h("li", { class: `alert ${a.type}` }, this.alertText(a),
        a.statement_id ? [" ", h("a", { href: `#statement-${a.statement_id}`, text: t("alert.show") })] : null)))
        : h("p", { class: "muted", text: t("alert.none") }),
      h("button", { type: "button", class: "link-button", text: t("audit.show"), onclick: () => this.showAudit() }));
  }

  async showAudit() {
    const t = this.t;
    let entries = [];
    try {
      entries = await this.api("GET", "audit");
    } catch (error) {
      return this.flash(error.message || t("error.generic"));
    }
    replace(this.c.audit, h("h2", { text: t("audit.title") }),
      h("ol", { class: "audit" }, entries.slice(-50).reverse().map((e) => h("li", {},
        h("time", { datetime: e.at, text: new Date(e.at).toLocaleTimeString() }), " ",
        h("strong", { text: e.actor ?? "" }), " ", t(`audit.${e.action}`) === `audit.${e.action}` ? e.action : t(`audit.${e.action}`),
        e.target ? ` → ${e.target}` : "", e.reason ? ` (${e.reason})` : ""))));
    this.c.audit.hidden = false;
    this.c.audit.focus();
  }
}
