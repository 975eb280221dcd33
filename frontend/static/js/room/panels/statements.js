// @ts-check
// The conversation: every statement in order, with its reply-to quote, reactions and actions
// (reply, withdraw one's own, report someone else's, translate; the console adds hiding). Each
// statement shows its original words and, below them, their translation into the reader's
// language when there is one, with who translated it, unless the reader chose "Original only";
// a statement still waiting for a translation into the reader's language says so.

/** @import { Change, RoomEventType, Statement, TranslationView } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { append, ask, h, mustFind, replace } from "../dom.js";
import { REACTIONS, isFacilitator, mayTranslate, orderedStatements, translationInto } from "../state.js";
import { atEnd, followNew } from "../attention.js";
import { translateStatement } from "./translate.js";

const ORIGINAL_ONLY = "roundtable.original-only"; // this reader's choice, kept in this browser

/** @returns {boolean} */
function storedOriginalOnly() {
  try { return localStorage.getItem(ORIGINAL_ONLY) === "true"; } catch { return false; }
}

export class StatementsPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["statement", "statement_changed", "reactions_changed", "translation_posted"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.el = mustFind(view.root, "[data-part=statements]");
    /** @type {Set<string>} */
    this.mine = new Set(); // reactions this browser gave ("statementId:kind")
    this.originalOnly = storedOriginalOnly();
    this.idPrefix = view.idPrefix ?? ""; // two rooms on one page (the main room and a group's): ids of their own
    const toggle = h("input", { type: "checkbox", id: `${this.idPrefix}original-only`, checked: this.originalOnly,
                                onchange: () => {
                                  this.originalOnly = toggle.checked;
                                  try { localStorage.setItem(ORIGINAL_ONLY, String(this.originalOnly)); } catch { /* private mode */ }
                                  this.render();
                                } });
    this.toggle = h("p", { class: "original-only", dataset: { part: "original-only" } },
      toggle, " ", h("label", { for: `${this.idPrefix}original-only`, text: view.t("translation.original_only") }));
    this.el.before(this.toggle);
    // Statements that came while the reader was scrolled up: a button with their count takes
    // them to the newest; reaching the end by hand clears it.
    this.unseen = 0;
    this.jump = h("button", { type: "button", class: "new-statements", dataset: { part: "new-statements" }, hidden: true,
                              onclick: () => this.scrollToEnd() });
    this.el.after(this.jump);
    // Whether the reader follows the newest statement: asked when they scroll (not when the
    // page's layout shifts, say the composer growing, which must not count as scrolling up).
    this.following = true;
    const seen = () => {
      if (this.el.isConnected === false) return; // a group room left
      this.following = this.atEndNow();
      if (this.unseen && this.following) this.clearUnseen();
    };
    this.el.addEventListener("scroll", seen, { passive: true });
    globalThis.addEventListener?.("scroll", seen, { passive: true });
  }

  // The one scroll container of the conversation: on a wide screen the list scrolls inside the
  // room; on a phone the page itself does (room.css), with the composer kept at the bottom.
  /** @returns {HTMLElement | null} the list when it scrolls itself, else null (the page) */
  listScrolls() {
    return /(auto|scroll)/.test(getComputedStyle(this.el).overflowY) ? this.el : null;
  }

  /** How far the list's end is below what the reader sees (the page's bottom, or the composer's top). */
  hiddenBelow() {
    const composer = this.view.root.querySelector("[data-part=composer]");
    const visibleBottom = Math.min(globalThis.innerHeight ?? Infinity, composer?.getBoundingClientRect().top ?? Infinity);
    return this.el.getBoundingClientRect().bottom - visibleBottom;
  }

  /** Was the reader at the newest statement? Asked before a new one is added. */
  atEndNow() {
    const list = this.listScrolls();
    if (list) return atEnd(list);
    // On the page: the end is in view, or no lower than the screen's bottom (behind the
    // composer at most), so a composer growing by a line does not count as scrolling up.
    return this.el.getBoundingClientRect().bottom - (globalThis.innerHeight ?? 0) <= 48;
  }

  clearUnseen() {
    this.unseen = 0;
    this.jump.hidden = true;
  }

  render() {
    // The switch matters only where statements are translated (a programme of two languages or more).
    this.toggle.hidden = this.view.languages.length < 2;
    replace(this.el, orderedStatements(this.view.room).map((s) => this.statementItem(s)));
    // On load and after a reconnect the conversation opens at its newest statement: again once
    // the panels drawn after this one (the composer, whose height counts on a phone) are laid out.
    this.scrollToEnd();
    (globalThis.requestAnimationFrame ?? setTimeout)(() => this.scrollToEnd());
  }

  /** @param {Change} change */
  update(change) {
    if (change.kind === "statement") {
      // "Was the reader at the end?" is asked before the statement is added (atEnd).
      const own = change.statement.seat_id === this.view.room.you?.seat_id;
      const follow = followNew(this.following, own);
      this.el.append(this.statementItem(change.statement));
      if (follow) this.scrollToEnd();
      else {
        this.unseen += 1;
        this.jump.textContent = this.view.t("statement.new_below", { count: this.unseen });
        this.jump.hidden = false;
      }
      if (!own) {
        this.view.announce(this.view.t("announce.statement", { name: this.authorLabel(change.statement), text: change.statement.text ?? "" }));
      }
    } else if ((change.kind === "statement_changed" || change.kind === "reactions") && change.statement) {
      this.refresh(change.statement);
    } else if (change.kind === "translation" && change.statement) {
      this.refresh(change.statement);
      const translation = change.translation;
      if (translation && translation.language === this.view.lang && !this.originalOnly
          && change.statement.seat_id !== this.view.room.you?.seat_id) {
        this.view.announce(this.view.t("announce.translation", { name: this.authorLabel(change.statement), text: translation.text }));
      }
    }
  }

  // At once, not smoothly: a smooth scroll still under way when the next statement arrives
  // would look like a reader who scrolled up, and the list would stop following.
  scrollToEnd() {
    this.following = true;
    const list = this.listScrolls();
    if (list) list.scrollTo({ top: list.scrollHeight, behavior: "instant" });
    else {
      // The newest statement just above the composer that stays at the screen's bottom.
      const last = /** @type {HTMLElement | null} */ (this.el.lastElementChild);
      const composer = /** @type {HTMLElement | null} */ (this.view.root.querySelector("[data-part=composer]"));
      if (last && this.hiddenBelow() > 0) {
        last.style.scrollMarginBottom = `${(composer?.offsetHeight ?? 0) + 8}px`;
        last.scrollIntoView({ block: "end", behavior: "instant" });
      }
    }
    this.clearUnseen();
  }

  // Whose words: a person's name as this reader reads it; a breakout group's report (its author
  // seat's role is "group", its name "Group N") as "Caucus — {community}" or "Group {n}" in their language.
  /** @param {Statement} statement */
  authorLabel(statement) {
    if (statement.role !== "group") return this.view.nameLabel(statement.author);
    if (statement.community) return this.view.t("breakout.caucus_name", { community: this.view.communityLabel(statement.community) });
    return this.view.nameLabel(statement.author);
  }

  /** @param {Statement} statement */
  statementItem(statement) {
    const { t, room } = this.view;
    const you = room.you;
    const own = statement.seat_id === you?.seat_id;
    const visible = statement.state === "visible";
    const item = h("li", { class: `statement ${statement.state}${own ? " own" : ""}${isFacilitator(statement.role) ? " by-facilitator" : ""}`,
                           id: `${this.idPrefix}statement-${statement.id}`, dataset: { id: statement.id } });
    const at = statement.at ? new Date(statement.at) : null;
    const header = h("p", { class: "meta" },
      h("strong", { text: this.authorLabel(statement) }),
      statement.role === "group" ? h("span", { class: "badge group-report", text: t("breakout.report_title") }) : null,
      isFacilitator(statement.role) ? h("span", { class: "badge facilitator", text: t("role.facilitator") }) : null,
      room.session?.show_communities && statement.community && statement.role !== "group"
        ? h("span", { class: "badge community", dataset: { community: statement.community }, text: this.view.communityLabel(statement.community) })
        : null,
      at && !Number.isNaN(at.getTime())
        ? h("time", { class: "at", datetime: statement.at ?? "", text: at.toLocaleTimeString(this.view.lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }) })
        : null);
    item.append(header);
    if (statement.reply_to) {
      const original = room.statements.get(statement.reply_to);
      item.append(h("p", { class: "reply-to" }, h("a", { href: `#${this.idPrefix}statement-${statement.reply_to}`, text: t("statement.reply_to", { name: original ? this.authorLabel(original) : "" }) }),
        original?.text ? h("span", { class: "quote", text: original.text.slice(0, 120) }) : null));
    }
    if (visible) {
      // The language it was written in is not known (people write in whichever they choose): lang="".
      item.append(h("p", { class: "text", lang: "", text: statement.text }));
      const translation = this.translationPart(statement);
      if (translation) item.append(translation);
    } else item.append(h("p", { class: "marker", text: t(`statement.${statement.state}`) }));
    if (!visible) return append(item, statement.state === "hidden" ? this.view.controls.hidden?.(statement) : null);
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
    const buttons = [
      h("button", { type: "button", class: "link-button", dataset: { action: "reply" }, text: t("statement.reply"),
                    onclick: () => this.view.replyTo(statement) }),
      own
        ? h("button", { type: "button", class: "link-button", dataset: { action: "withdraw" }, text: t("statement.withdraw"), onclick: () => this.withdraw(statement) })
        // Reporting is the participants' way to reach the facilitators; facilitators hide instead.
        : this.view.facilitator ? null
          : h("button", { type: "button", class: "link-button", dataset: { action: "report" }, text: t("statement.report"), onclick: () => this.report(statement) }),
      mayTranslate(room, statement)
        ? h("button", { type: "button", class: "link-button", dataset: { action: "translate" }, text: t("translation.translate"),
                        onclick: () => translateStatement(this.view, statement) })
        : null,
      this.view.controls.statement?.(statement)];
    // The actions wait behind a small menu ("⋯"), so that a statement stays one compact block.
    const menu = h("details", { class: "statement-menu" },
      h("summary", { "aria-label": t("statement.actions", { name: this.view.nameLabel(statement.author) }), title: t("statement.actions_short") },
        h("span", { "aria-hidden": "true", text: "⋯" })),
      h("div", { class: "statement-actions" }, ...buttons));
    const actions = menu;
    // Interpreters carry the words; reacting is for the dialogue's members.
    item.append(...(you?.role === "interpreter" ? [actions] : [reactions, actions]));
    return item;
  }

  // The translation into the reader's language, with who made it; or that one is still awaited.
  // Facilitators and interpreters follow the interpretation itself: they see every translation.
  /** @param {Statement} statement */
  translationPart(statement) {
    const { t, lang, room } = this.view;
    const role = room.you?.role;
    if ((isFacilitator(role ?? "") || role === "interpreter") && !this.originalOnly && statement.translations.length) {
      return h("div", { class: "translations" }, statement.translations.map((each) =>
        h("div", { class: "translation", dataset: { language: each.language } },
          h("p", { class: "text", lang: each.language, text: each.text }),
          h("p", { class: "muted small translated-by",
                   text: `${this.view.languageName(each.language)} · ${t(`translation.by_${each.by}`)}` }))));
    }
    /** @type {TranslationView | null} */
    const translation = translationInto(statement, lang);
    if (translation && !this.originalOnly) {
      return h("div", { class: "translation", dataset: { language: translation.language } },
        h("p", { class: "text", lang: translation.language, text: translation.text }),
        h("p", { class: "muted small translated-by", text: t(`translation.by_${translation.by}`) }));
    }
    // Awaited only where the reader's own language is one the room still waits for (never
    // under one's own words, nor for a reader who reads the original's language).
    if (!translation && (statement.waiting_for ?? []).includes(lang)) {
      return h("p", { class: "muted small translation-pending", dataset: { part: "translation-pending" },
                      text: t("translation.pending") });
    }
    return null;
  }

  // Draw one statement again, keeping the focus on the button that had it.
  /** @param {Statement} statement */
  refresh(statement) {
    const old = this.el.querySelector(`#${this.idPrefix}statement-${statement.id}`);
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
