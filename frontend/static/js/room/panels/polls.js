// @ts-check
// Polls: the open ones (and the last closed one, with its results), answered here. The
// question and options are the facilitators' words, in the reader's language (view.text()).

/** @import { Change, Poll, RoomEventType } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { append, h, mustFind, replace } from "../dom.js";

export class PollsPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["poll_changed", "poll_progress"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=polls]");
  }

  render() {
    const polls = [...this.view.room.polls.values()];
    const shown = polls.filter((p) => p.status === "open").concat(polls.filter((p) => p.status === "closed").slice(-1));
    replace(this.el, shown.map((poll) => this.pollCard(poll)));
    this.el.hidden = shown.length === 0 && !this.view.facilitator;
    if (this.view.facilitator) append(this.el, this.view.controls.polls?.());
  }

  /** @param {Change} change */
  update(change) {
    this.render();
    if (change.kind === "poll" && change.action === "opened") this.view.announce(this.view.t("announce.poll_opened"));
  }

  /** @param {Poll} poll */
  pollCard(poll) {
    const view = this.view;
    const t = view.t;
    const canAnswer = poll.status === "open" && ["participant", "co_facilitator"].includes(this.view.room.you?.role ?? "");
    const name = `poll-${poll.id}`;
    const choices = poll.options.map((option, index) => h("label", { class: "choice" },
      h("input", { type: poll.multiple ? "checkbox" : "radio", name, value: index,
                   checked: (poll.your_choices || []).includes(index), disabled: !canAnswer }),
      " ", view.text("span", {}, option)));
    const form = h("form", { class: "poll", "aria-label": view.pick(poll.question).text },
      h("fieldset", {}, view.text("legend", {}, poll.question), choices),
      canAnswer ? h("button", { type: "submit", text: poll.your_choices ? t("poll.change") : t("poll.answer") }) : null,
      h("p", { class: "muted", text: poll.anonymous ? t("poll.anonymous") : t("poll.named") }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const inputs = /** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll("input:checked"));
      const picked = [...inputs].map((i) => Number(i.value));
      if (!picked.length) return this.view.flash(t("poll.pick"));
      const result = await this.view.run("poll_answer", { poll_id: poll.id, choices: picked });
      if (result) {
        this.view.room.polls.set(poll.id, { ...poll, ...result });
        this.view.flash(t("poll.thanks"));
        this.render();
      }
    });
    const card = h("section", { class: "card poll-card" }, form);
    if (poll.status === "closed" && poll.results) {
      const results = poll.results;
      const total = Math.max(1, results.counts.reduce((a, b) => a + b, 0));
      card.append(h("h3", { text: t("poll.results") }), h("ul", { class: "results" }, poll.options.map((option, i) =>
        h("li", {}, view.text("span", {}, option), " ",
          h("meter", { min: 0, max: total, value: results.counts[i], "aria-label": view.pick(option).text }), " ",
          h("span", { text: t("poll.votes", { count: results.counts[i] }) }),
          results.by_option ? h("span", { class: "muted", text: " " + results.by_option[i].map((n) => view.nameLabel(n)).join(", ") }) : null))));
    } else if (poll.status === "open") {
      card.append(h("p", { class: "muted", text: t("poll.answered", { count: poll.answered ?? 0 }) }));
    }
    return card;
  }
}
