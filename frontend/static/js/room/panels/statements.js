// @ts-check
// The conversation: every statement in order, with its reply-to quote, reactions and actions
// (reply, withdraw one's own, report someone else's; the console adds hiding).

/** @import { Change, RoomEventType, Statement } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { ask, h, mustFind, replace } from "../dom.js";
import { REACTIONS, isFacilitator, orderedStatements } from "../state.js";

export class StatementsPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["statement", "statement_changed", "reactions_changed"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=statements]");
    /** @type {Set<string>} */
    this.mine = new Set(); // reactions this browser gave ("statementId:kind")
  }

  render() {
    replace(this.el, orderedStatements(this.view.room).map((s) => this.statementItem(s)));
  }

  /** @param {Change} change */
  update(change) {
    if (change.kind === "statement") {
      this.el.append(this.statementItem(change.statement));
      if (change.statement.seat_id !== this.view.room.you?.seat_id) {
        this.view.announce(this.view.t("announce.statement", { name: change.statement.author, text: change.statement.text ?? "" }));
      }
      this.scrollToEnd();
    } else if ((change.kind === "statement_changed" || change.kind === "reactions") && change.statement) {
      this.refresh(change.statement);
    }
  }

  scrollToEnd() {
    const list = this.el;
    const nearEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 200;
    if (nearEnd) list.scrollTop = list.scrollHeight;
  }

  /** @param {Statement} statement */
  statementItem(statement) {
    const { t, room } = this.view;
    const you = room.you;
    const own = statement.seat_id === you?.seat_id;
    const visible = statement.state === "visible";
    const item = h("li", { class: `statement ${statement.state}${own ? " own" : ""}${isFacilitator(statement.role) ? " by-facilitator" : ""}`,
                           id: `statement-${statement.id}`, dataset: { id: statement.id } });
    const header = h("p", { class: "meta" },
      h("strong", { text: statement.author }),
      isFacilitator(statement.role) ? h("span", { class: "badge facilitator", text: t("role.facilitator") }) : null,
      room.session?.show_communities && statement.community
        ? h("span", { class: "badge community", dataset: { community: statement.community }, text: this.view.communityLabel(statement.community) })
        : null);
    item.append(header);
    if (statement.reply_to) {
      const original = room.statements.get(statement.reply_to);
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
                               const result = await this.view.run("react", { statement_id: statement.id, reaction: kind, on: !pressed });
                               if (result) { if (pressed) this.mine.delete(key); else this.mine.add(key); this.refresh(statement); }
                             } },
          t(`reaction.${kind}`), counts[kind] ? h("span", { class: "count", text: ` ${counts[kind]}` }) : null);
      }));
    const actions = h("div", { class: "statement-actions" },
      h("button", { type: "button", class: "link-button", dataset: { action: "reply" }, text: t("statement.reply"),
                    onclick: () => this.view.replyTo(statement) }),
      own
        ? h("button", { type: "button", class: "link-button", dataset: { action: "withdraw" }, text: t("statement.withdraw"), onclick: () => this.withdraw(statement) })
        : h("button", { type: "button", class: "link-button", dataset: { action: "report" }, text: t("statement.report"), onclick: () => this.report(statement) }),
      this.view.controls.statement?.(statement));
    item.append(reactions, actions);
    return item;
  }

  // Draw one statement again, keeping the focus on the button that had it.
  /** @param {Statement} statement */
  refresh(statement) {
    const old = this.el.querySelector(`#statement-${statement.id}`);
    if (!old) return;
    const active = document.activeElement;
    const focused = active && old.contains(active) ? active.textContent : null;
    const fresh = this.statementItem(statement);
    old.replaceWith(fresh);
    if (focused) [...fresh.querySelectorAll("button")].find((b) => b.textContent === focused)?.focus();
  }

  /** @param {Statement} statement */
  async withdraw(statement) {
    if (!confirm(this.view.t("statement.withdraw_confirm"))) return;
    await this.view.run("withdraw", { statement_id: statement.id });
  }

  /** @param {Statement} statement */
  async report(statement) {
    const t = this.view.t;
    const reason = await ask({ title: t("report.title"), label: t("report.reason"), submit: t("report.send"),
                               cancel: t("action.cancel"), required: false, maxLength: 500 });
    if (reason === null) return;
    if (await this.view.run("report", { statement_id: statement.id, reason: reason || null })) this.view.flash(t("report.sent"));
  }
}
