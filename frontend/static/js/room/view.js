// The room on screen, for participants and facilitators alike: the agenda and its clock,
// the round, the floor and queue, polls, the statements with their reactions, the composer,
// who is present, and the notices meant for this person. Facilitators' extra panels are in
// console.js. All text goes in through dom.js (as text, never HTML).

import { ask, clear, h, replace } from "./dom.js";
import {
  MAX_STATEMENT_CHARS, REACTIONS, composerState, formatClock, isFacilitator, orderedStatements, seatName,
  secondsUntil,
} from "./state.js";

export class RoomView {
  constructor({ root, room, connection, t, communities = {}, onChange = () => {} }) {
    this.root = root;
    this.communities = communities; // key → label in this page's language
    this.room = room;
    this.connection = connection;
    this.t = t;
    this.onChange = onChange;
    this.mine = new Set(); // reactions this browser gave ("statementId:kind")
    this.replyTo = null;
    this.el = {
      status: root.querySelector("[data-part=connection]"),
      agenda: root.querySelector("[data-part=agenda]"),
      round: root.querySelector("[data-part=round]"),
      floor: root.querySelector("[data-part=floor]"),
      polls: root.querySelector("[data-part=polls]"),
      statements: root.querySelector("[data-part=statements]"),
      composer: root.querySelector("[data-part=composer]"),
      present: root.querySelector("[data-part=present]"),
      notices: root.querySelector("[data-part=notices]"),
      live: root.querySelector("[data-part=announce]"),
      sessionStatus: root.querySelector("[data-part=session-status]"),
    };
    this.buildComposer();
    setInterval(() => this.tick(), 1000);
  }

  get facilitator() { return isFacilitator(this.room.you?.role); }

  // Something was said that everyone should hear about: screen readers get it politely.
  announce(text) {
    this.el.live.textContent = "";
    setTimeout(() => { this.el.live.textContent = text; }, 50);
  }

  async run(type, fields = {}) {
    try {
      return await this.connection.command(type, fields);
    } catch (error) {
      this.flash(this.errorText(error));
      return null;
    }
  }

  errorText(error) {
    const key = `error.${error.code}`;
    const text = this.t(key);
    return text === key ? (error.message || this.t("error.generic")) : text;
  }

  flash(text) {
    const note = h("p", { class: "flash", role: "alert", text });
    this.el.notices.prepend(note);
    setTimeout(() => note.remove(), 8000);
  }

  // Everything ----------------------------------------------------------------------

  renderAll() {
    this.renderStatus();
    this.renderAgenda();
    this.renderRound();
    this.renderFloor();
    this.renderPolls();
    replace(this.el.statements, orderedStatements(this.room).map((s) => this.statementItem(s)));
    this.renderPresent();
    this.renderNotices();
    this.renderComposer();
    this.onChange("all");
  }

  // Called for each room event, with what applyEvent said changed.
  update(change, frame) {
    const t = this.t;
    switch (change.kind) {
      case "statement":
        this.el.statements.append(this.statementItem(change.statement));
        if (change.statement.seat_id !== this.room.you?.seat_id) {
          this.announce(t("announce.statement", { name: change.statement.author, text: change.statement.text ?? "" }));
        }
        this.scrollToEnd();
        break;
      case "statement_changed":
      case "reactions":
        if (change.statement) this.refreshStatement(change.statement);
        break;
      case "agenda":
        this.renderAgenda();
        this.announce(t("announce.agenda", { title: this.room.agenda?.item?.title ?? "" }));
        break;
      case "round":
        this.renderRound();
        if (change.round?.current_seat_id === this.room.you?.seat_id && change.round.status === "active") {
          this.announce(t("announce.your_turn"));
        }
        break;
      case "floor":
        this.renderFloor();
        if (change.action === "given" && change.seat_id === this.room.you?.seat_id) this.announce(t("announce.your_floor"));
        break;
      case "poll":
        this.renderPolls();
        if (change.action === "opened") this.announce(t("announce.poll_opened"));
        break;
      case "presence":
      case "seat":
        this.renderPresent();
        break;
      case "status":
        this.renderStatus();
        this.announce(t(`status.${change.status}`));
        break;
      case "moderation":
      case "turn_warning":
        if (change.mine) {
          this.renderNotices();
          this.announce(this.noticeText(this.room.notices.at(-1)));
        }
        break;
      case "message":
        this.renderNotices();
        break;
      default:
        break;
    }
    this.renderComposer();
    this.onChange(change.kind, frame);
  }

  tick() {
    this.renderClock();
    this.renderComposer();
  }

  scrollToEnd() {
    const list = this.el.statements;
    const nearEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 200;
    if (nearEnd) list.scrollTop = list.scrollHeight;
  }

  // Connection and session status ---------------------------------------------------

  renderStatus() {
    const t = this.t;
    const state = this.connection.state;
    this.el.status.dataset.state = state;
    this.el.status.textContent = t(`connection.${state}`);
    const status = this.room.session?.status;
    if (this.el.sessionStatus) {
      this.el.sessionStatus.textContent = status ? t(`status.${status}`) : "";
      this.el.sessionStatus.dataset.status = status || "";
    }
  }

  // Agenda ----------------------------------------------------------------------------

  renderAgenda() {
    const t = this.t;
    const agenda = this.room.agenda;
    const item = agenda?.item;
    if (!item) {
      replace(this.el.agenda, h("p", { class: "muted", text: t("agenda.not_started") }));
      return;
    }
    replace(this.el.agenda,
      h("p", { class: "eyebrow", text: t("agenda.item_of", { n: item.position + 1, count: agenda.count }) + " · " + t(`kind.${item.kind}`) }),
      h("h2", { text: item.title }),
      item.prompt ? h("p", { class: "prompt", text: item.prompt }) : null,
      h("p", { class: "clock", dataset: { part: "clock" } }));
    this.renderClock();
  }

  renderClock() {
    const clock = this.el.agenda.querySelector("[data-part=clock]");
    const agenda = this.room.agenda;
    if (clock && agenda?.item) {
      const left = agenda.running ? secondsUntil(agenda.ends_at) : Math.max(0, Math.round(agenda.remaining_seconds));
      clock.textContent = agenda.running
        ? this.t("agenda.time_left", { time: formatClock(left) })
        : this.t("agenda.paused", { time: formatClock(left) });
      clock.classList.toggle("over", agenda.running && left === 0);
    }
    for (const el of this.root.querySelectorAll("[data-ends-at]")) {
      el.textContent = formatClock(secondsUntil(el.dataset.endsAt));
    }
  }

  // Round -----------------------------------------------------------------------------

  renderRound() {
    const t = this.t;
    const round = this.room.round;
    if (!round) { clear(this.el.round); this.el.round.hidden = true; return; }
    this.el.round.hidden = false;
    const you = this.room.you?.seat_id;
    const turns = h("ol", { class: "turns" }, round.turns.map((turn) => h("li", {
      class: `turn ${turn.outcome}${turn.seat_id === round.current_seat_id ? " current" : ""}`,
      "aria-current": turn.seat_id === round.current_seat_id ? "true" : null,
    }, h("span", { text: seatName(this.room, turn.seat_id) }), " ",
       h("span", { class: "outcome", text: turn.seat_id === round.current_seat_id ? t("round.speaking") : t(`outcome.${turn.outcome}`) }))));
    const mine = round.current_seat_id === you;
    replace(this.el.round,
      h("h2", { text: t("round.title", { n: round.number }) }),
      round.prompt ? h("p", { class: "prompt", text: round.prompt }) : null,
      round.turn_ends_at ? h("p", { class: "clock" }, t("round.turn_left"), " ", h("span", { dataset: { endsAt: round.turn_ends_at } })) : null,
      turns,
      mine ? h("div", { class: "actions", role: "group", "aria-label": t("round.your_turn") },
        h("button", { dataset: { action: "round_done" }, type: "button", text: t("round.done"), onclick: () => this.run("round_done", { round_id: round.id }) }),
        h("button", { type: "button", class: "secondary", dataset: { action: "round_pass" }, text: t("round.pass"), onclick: () => this.run("round_pass", { round_id: round.id }) }),
        h("button", { dataset: { action: "round_pass" }, type: "button", class: "secondary", text: t("round.pass_for_now"),
                      onclick: () => this.run("round_pass", { round_id: round.id, for_now: true }) })) : null);
    this.renderClock();
  }

  // Floor and queue -------------------------------------------------------------------

  renderFloor() {
    const t = this.t;
    if (this.room.session?.speaking_mode !== "queued") { this.el.floor.hidden = true; return; }
    this.el.floor.hidden = false;
    const floor = this.room.floor;
    const you = this.room.you;
    const participant = you && !isFacilitator(you.role) && you.role !== "observer";
    replace(this.el.floor,
      h("h2", { text: t("floor.title") }),
      h("p", {}, floor.seat_id ? t("floor.held_by", { name: seatName(this.room, floor.seat_id) }) : t("floor.open"),
        floor.ends_at ? [" · ", h("span", { dataset: { endsAt: floor.ends_at } })] : null),
      floor.queue.length
        ? h("ol", { class: "queue", "aria-label": t("floor.queue") }, floor.queue.map((id) => h("li", { text: seatName(this.room, id) })))
        : h("p", { class: "muted", text: t("floor.queue_empty") }),
      participant && floor.seat_id !== you.seat_id
        ? (you.hand_raised
          ? h("button", { dataset: { action: "hand_lower" }, type: "button", class: "secondary", text: t("floor.lower"), onclick: () => this.run("hand_lower") })
          : h("button", { type: "button", dataset: { action: "hand_raise" }, text: t("floor.raise"), onclick: () => this.run("hand_raise") }))
        : null,
      this.facilitatorFloorControls?.());
    this.renderClock();
  }

  // Polls -----------------------------------------------------------------------------

  renderPolls() {
    const polls = [...this.room.polls.values()];
    const shown = polls.filter((p) => p.status === "open").concat(polls.filter((p) => p.status === "closed").slice(-1));
    replace(this.el.polls, shown.map((poll) => this.pollCard(poll)));
    this.el.polls.hidden = shown.length === 0 && !this.facilitator;
    if (this.facilitator && this.facilitatorPollControls) this.el.polls.append(this.facilitatorPollControls());
  }

  pollCard(poll) {
    const t = this.t;
    const canAnswer = poll.status === "open" && ["participant", "co_facilitator"].includes(this.room.you?.role);
    const name = `poll-${poll.id}`;
    const choices = poll.options.map((option, index) => h("label", { class: "choice" },
      h("input", { type: poll.multiple ? "checkbox" : "radio", name, value: index,
                   checked: (poll.your_choices || []).includes(index), disabled: !canAnswer }),
      " ", option));
    const form = h("form", { class: "poll", "aria-label": poll.question },
      h("fieldset", {}, h("legend", { text: poll.question }), choices),
      canAnswer ? h("button", { type: "submit", text: poll.your_choices ? t("poll.change") : t("poll.answer") }) : null,
      h("p", { class: "muted", text: poll.anonymous ? t("poll.anonymous") : t("poll.named") }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const picked = [...form.querySelectorAll("input:checked")].map((i) => Number(i.value));
      if (!picked.length) return this.flash(t("poll.pick"));
      const result = await this.run("poll_answer", { poll_id: poll.id, choices: picked });
      if (result) {
        this.room.polls.set(poll.id, { ...poll, ...result });
        this.flash(t("poll.thanks"));
        this.renderPolls();
      }
    });
    const card = h("section", { class: "card poll-card" }, form);
    if (poll.status === "closed" && poll.results) {
      const total = Math.max(1, poll.results.counts.reduce((a, b) => a + b, 0));
      card.append(h("h3", { text: t("poll.results") }), h("ul", { class: "results" }, poll.options.map((option, i) =>
        h("li", {}, h("span", { text: option }), " ",
          h("meter", { min: 0, max: total, value: poll.results.counts[i], "aria-label": option }), " ",
          h("span", { text: t("poll.votes", { count: poll.results.counts[i] }) }),
          poll.results.by_option ? h("span", { class: "muted", text: " " + poll.results.by_option[i].join(", ") }) : null))));
    } else if (poll.status === "open") {
      card.append(h("p", { class: "muted", text: t("poll.answered", { count: poll.answered ?? 0 }) }));
    }
    return card;
  }

  // Statements ------------------------------------------------------------------------

  statementItem(statement) {
    const t = this.t;
    const you = this.room.you;
    const own = statement.seat_id === you?.seat_id;
    const visible = statement.state === "visible";
    const item = h("li", { class: `statement ${statement.state}${own ? " own" : ""}${isFacilitator(statement.role) ? " by-facilitator" : ""}`,
                           id: `statement-${statement.id}`, dataset: { id: statement.id } });
    const header = h("p", { class: "meta" },
      h("strong", { text: statement.author }),
      isFacilitator(statement.role) ? h("span", { class: "badge facilitator", text: t("role.facilitator") }) : null,
      this.room.session?.show_communities && statement.community
        ? h("span", { class: "badge community", dataset: { community: statement.community }, text: this.communityLabel(statement.community) })
        : null);
    item.append(header);
    if (statement.reply_to) {
      const original = this.room.statements.get(statement.reply_to);
      item.append(h("p", { class: "reply-to" }, h("a", { href: `#statement-${statement.reply_to}`, text: t("statement.reply_to", { name: original?.author ?? "" }) }),
        original?.text ? h("span", { class: "quote", text: original.text.slice(0, 120) }) : null));
    }
    if (visible) item.append(h("p", { class: "text", text: statement.text }));
    else item.append(h("p", { class: "marker", text: t(`statement.${statement.state}`) }));
    if (!visible) return item;
    const counts = statement.reactions || {};
    const reactions = h("div", { class: "reactions", role: "group", "aria-label": t("statement.reactions") },
      REACTIONS.map((kind) => {
        const key = `${statement.id}:${kind}`;
        const pressed = this.mine.has(key);
        return h("button", { type: "button", class: "reaction", "aria-pressed": String(pressed),
                             disabled: you?.role === "observer",
                             onclick: async () => {
                               const result = await this.run("react", { statement_id: statement.id, reaction: kind, on: !pressed });
                               if (result) { if (pressed) this.mine.delete(key); else this.mine.add(key); this.refreshStatement(statement); }
                             } },
          t(`reaction.${kind}`), counts[kind] ? h("span", { class: "count", text: ` ${counts[kind]}` }) : null);
      }));
    const actions = h("div", { class: "statement-actions" },
      h("button", { type: "button", class: "link-button", dataset: { action: "reply" }, text: t("statement.reply"),
                    onclick: () => { this.replyTo = statement; this.renderComposer(); this.el.composer.querySelector("textarea").focus(); } }),
      own
        ? h("button", { type: "button", class: "link-button", dataset: { action: "withdraw" }, text: t("statement.withdraw"), onclick: () => this.withdraw(statement) })
        : h("button", { type: "button", class: "link-button", dataset: { action: "report" }, text: t("statement.report"), onclick: () => this.report(statement) }),
      this.facilitatorStatementControls?.(statement));
    item.append(reactions, actions);
    return item;
  }

  refreshStatement(statement) {
    const old = this.el.statements.querySelector(`#statement-${statement.id}`);
    if (!old) return;
    const focused = document.activeElement && old.contains(document.activeElement) ? document.activeElement.textContent : null;
    const fresh = this.statementItem(statement);
    old.replaceWith(fresh);
    if (focused) [...fresh.querySelectorAll("button")].find((b) => b.textContent === focused)?.focus();
  }

  communityLabel(key) {
    return this.communities[key] || key;
  }

  async withdraw(statement) {
    if (!confirm(this.t("statement.withdraw_confirm"))) return;
    await this.run("withdraw", { statement_id: statement.id });
  }

  async report(statement) {
    const t = this.t;
    const reason = await ask({ title: t("report.title"), label: t("report.reason"), submit: t("report.send"),
                               cancel: t("action.cancel"), required: false, maxLength: 500 });
    if (reason === null) return;
    if (await this.run("report", { statement_id: statement.id, reason: reason || null })) this.flash(t("report.sent"));
  }

  // Composer --------------------------------------------------------------------------

  buildComposer() {
    const t = this.t;
    const textarea = h("textarea", { id: "composer-text", rows: 3, maxlength: MAX_STATEMENT_CHARS,
                                     "aria-describedby": "composer-reason composer-count" });
    const form = h("form", { class: "composer" },
      h("p", { class: "replying", dataset: { part: "replying" }, hidden: true }),
      h("label", { for: "composer-text", class: "visually-hidden", text: t("composer.label") }),
      textarea,
      h("div", { class: "composer-row" },
        h("span", { id: "composer-count", class: "muted", "aria-live": "off" }),
        h("span", { id: "composer-reason", class: "reason" }),
        h("button", { type: "submit", text: t("composer.send") })),
      h("ul", { class: "pending", dataset: { part: "pending" }, "aria-label": t("composer.pending") }));
    textarea.addEventListener("input", () => this.renderCount());
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = textarea.value.trim();
      if (!text || !composerState(this.room).enabled) return;
      this.connection.say(text, this.replyTo ? { replyTo: this.replyTo.id } : {});
      textarea.value = "";
      this.replyTo = null;
      this.renderComposer();
    });
    replace(this.el.composer, form);
    this.breakButton = h("button", { dataset: { action: "break_request" }, type: "button", class: "secondary", text: t("break.ask"),
                                     onclick: async () => { if (await this.run("break_request")) this.flash(t("break.sent")); } });
    this.el.composer.append(h("div", { class: "composer-extra" }, this.breakButton));
  }

  renderCount() {
    const textarea = this.el.composer.querySelector("textarea");
    const count = this.el.composer.querySelector("#composer-count");
    const left = MAX_STATEMENT_CHARS - textarea.value.length;
    count.textContent = this.t("composer.count", { count: textarea.value.length, max: MAX_STATEMENT_CHARS });
    count.classList.toggle("warn", left < 100);
  }

  renderComposer() {
    const t = this.t;
    const state = composerState(this.room);
    const form = this.el.composer.querySelector("form");
    const textarea = form.querySelector("textarea");
    const button = form.querySelector("button[type=submit]");
    textarea.disabled = !state.enabled;
    button.disabled = !state.enabled;
    // Offline is fine: what is typed now is kept and sent when the connection returns.
    const reason = form.querySelector("#composer-reason");
    const text = state.reason ? t(state.reason) : "";
    if (reason.textContent !== text) reason.textContent = text;
    reason.classList.toggle("blocked", !state.enabled);
    const replying = form.querySelector("[data-part=replying]");
    replying.hidden = !this.replyTo;
    if (this.replyTo) {
      replace(replying, t("statement.replying_to", { name: this.replyTo.author }), " ",
        h("button", { type: "button", class: "link-button", text: t("action.cancel"),
                      onclick: () => { this.replyTo = null; this.renderComposer(); } }));
    }
    this.breakButton.hidden = isFacilitator(this.room.you?.role);
    const pending = form.querySelector("[data-part=pending]");
    const items = this.connection.pending.map((p) => h("li", { class: "pending-item" }, h("span", { text: p.text }), " ",
      h("span", { class: "muted", text: t("composer.sending") })));
    if (pending.childElementCount !== items.length) replace(pending, items);
    this.renderCount();
  }

  // Presence and notices --------------------------------------------------------------

  renderPresent() {
    const t = this.t;
    const seats = [...this.room.present.values()];
    replace(this.el.present,
      h("h2", { text: t("present.title", { count: seats.length }) }),
      h("ul", {}, seats.map((seat) => h("li", {},
        h("span", { text: seat.display_name }),
        isFacilitator(seat.role) ? h("span", { class: "badge facilitator", text: t("role.facilitator") }) : null,
        this.room.session?.show_communities && seat.community
          ? h("span", { class: "badge community", dataset: { community: seat.community }, text: this.communityLabel(seat.community) }) : null,
        this.room.muted.has(seat.seat_id) ? h("span", { class: "badge muted-badge", text: t("present.muted") }) : null,
        this.facilitatorSeatControls?.(seat)))));
  }

  noticeText(notice) {
    const t = this.t;
    if (!notice) return "";
    if (notice.type === "turn_warning") return t("notice.turn_warning", { seconds: notice.seconds_left });
    const base = t(`notice.${notice.action}`);
    return notice.reason ? `${base} ${t("notice.reason", { reason: notice.reason })}` : base;
  }

  renderNotices() {
    const t = this.t;
    const you = this.room.you;
    const notices = this.room.notices.slice(-3).map((n) => h("p", { class: `notice ${n.action || n.type}`, role: "status", text: this.noticeText(n) }));
    const checkIns = this.room.messages.filter((m) => m.channel === "check_in" && (this.facilitator || m.about_seat_id === you?.seat_id));
    const thread = !this.facilitator && checkIns.length
      ? h("section", { class: "card check-in", "aria-label": t("checkin.title") },
          h("h2", { text: t("checkin.title") }),
          h("ul", {}, checkIns.map((m) => h("li", {}, h("strong", { text: isFacilitator(m.role) ? t("role.facilitator") : t("checkin.you") }), " ", m.text))),
          this.checkInForm())
      : null;
    const flashes = [...this.el.notices.querySelectorAll(".flash")];
    replace(this.el.notices, flashes, notices, thread);
  }

  checkInForm() {
    const t = this.t;
    const input = h("input", { type: "text", maxlength: MAX_STATEMENT_CHARS, "aria-label": t("checkin.reply") });
    const form = h("form", { class: "inline-form" }, input, h("button", { type: "submit", text: t("checkin.send") }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (text && await this.run("check_in", { text })) input.value = "";
    });
    return form;
  }
}
