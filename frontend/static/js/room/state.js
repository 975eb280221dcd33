// @ts-check
// The room as this browser knows it: built from the welcome frame and changed by each room
// event, in order. Pure logic, no DOM, so it runs (and is tested) under Node too.
//
// Every event that changes a part of the room carries that whole part (the agenda, the
// floor, a round, a poll, a seat), so applying the catch-up after a reconnect on top of a
// newer welcome still ends in the right state.

/**
 * @import { BreakoutGroupView, BreakoutView, Change, ComposerState, GroupReport, KnownSeat, Room, RoomEvent, SeatChange,
 *   Statement, TranslationView, WelcomeFrame, Reaction } from "./types.js"
 */

/** @type {readonly Reaction[]} */
export const REACTIONS = ["hear_you", "thank_you", "question"];
const FACILITATOR_ROLES = new Set(["facilitator", "co_facilitator"]);

/** @returns {Room} */
export function createRoom() {
  return {
    lastSeq: 0,
    session: null, // {session_id, languages, title, lobby_message, pause_message, pause_reason, status, show_communities, speaking_mode}
    you: null, // {seat_id, display_name, role, muted, muted_until, hand_raised}
    agenda: null,
    agendaItems: new Map(), // id → {id, position, kind, title}: every item heard of
    floor: { seat_id: null, since: null, ends_at: null, queue: [] },
    round: null,
    polls: new Map(),
    slowModeSeconds: 0,
    locked: false,
    muted: new Set(),
    present: new Map(), // seat_id → {seat_id, display_name, role, community}
    seats: new Map(), // every seat this browser has heard of, by id
    statements: new Map(), // id → statement view (insertion order = seq order)
    messages: [], // back-channel and check-ins this browser may see
    alerts: [], // facilitators: break requests, reports, time-up nudges, check-ins; until marked done
    notices: [], // to this seat: moderation, turn warnings
    ended: null, // {code, reason} once this seat's place in the room ended
    breakout: null, // the open breakout (main and group rooms), else null
    communities: {}, // key → {language: label}
    group: null, // a group room's own group {id, number, community, main_session_id, report}
    report: null, // a group room's report as it is now
    broadcasts: [], // a group room: the facilitators' messages
  };
}

/** @param {string | null | undefined} role */
export function isFacilitator(role) {
  return role != null && FACILITATOR_ROLES.has(role);
}

/**
 * @param {Room} room
 * @param {KnownSeat | null | undefined} seat
 */
function remember(room, seat) {
  if (!seat || seat.seat_id == null) return;
  room.seats.set(seat.seat_id, { ...(room.seats.get(seat.seat_id) || {}), ...seat });
}

/**
 * @param {Room} room
 * @param {WelcomeFrame} welcome
 * @returns {Change}
 */
export function applyWelcome(room, welcome) {
  const s = welcome.state;
  room.session = {
    session_id: s.session_id, languages: s.languages ?? [], title: s.title, lobby_message: s.lobby_message ?? {},
    pause_message: s.pause_message ?? {}, pause_reason: s.pause_reason ?? null, status: s.status, show_communities: s.show_communities, speaking_mode: s.speaking_mode,
  };
  room.agendaItems = new Map((s.agenda_items ?? []).map((item) => [item.id, item]));
  room.you = { ...welcome.you };
  room.agenda = s.agenda;
  room.floor = s.floor;
  room.round = s.round;
  room.polls = new Map(s.polls.map((p) => [p.id, p]));
  room.slowModeSeconds = s.slow_mode_seconds;
  room.locked = s.locked;
  room.muted = new Set(s.muted);
  room.present = new Map(s.present.map((p) => [p.seat_id, p]));
  for (const seat of s.present) remember(room, seat);
  remember(room, { seat_id: welcome.you.seat_id, display_name: welcome.you.display_name, role: welcome.you.role });
  room.communities = s.communities ?? {};
  room.group = s.group ?? null;
  room.report = s.group?.report ? { ...s.group.report } : null;
  setBreakout(room, s.breakout ?? null, welcome.you.group_session_id ?? null);
  room.lastSeq = Math.max(room.lastSeq, welcome.last_seq);
  return { kind: "welcome" };
}

/** @param {Room} room */
export function resetRoom(room) {
  const fresh = createRoom();
  Object.assign(room, fresh);
}

/**
 * @param {Room} room
 * @param {SeatChange} seat
 */
function setMuted(room, seat) {
  if (seat.muted) room.muted.add(seat.seat_id);
  else room.muted.delete(seat.seat_id);
  if (room.you && seat.seat_id === room.you.seat_id) {
    room.you.muted = seat.muted;
    room.you.muted_until = seat.muted_until;
  }
}

// Breakouts -------------------------------------------------------------------------------

/**
 * The breakout as it is now (an ended one is none), and this seat's group room: in a group
 * room its own session; in the main room the group whose members include this seat (or,
 * without a breakout view, what the server said).
 * @param {Room} room
 * @param {BreakoutView | null} breakout
 * @param {number | null} [told] the welcome's you.group_session_id
 */
function setBreakout(room, breakout, told = null) {
  room.breakout = breakout && breakout.status !== "ended" ? breakout : null;
  if (!room.you) return;
  if (room.group) {
    room.you.group_session_id = room.breakout ? room.session?.session_id ?? null : null;
    return;
  }
  if (!room.breakout) { room.you.group_session_id = null; return; }
  // The members' list says; the welcome's word only where the list names no group of this seat.
  room.you.group_session_id = groupForSeat(room.breakout, room.you.seat_id)?.session_id ?? told ?? null;
}

/**
 * The group of a breakout whose members include this main-room seat.
 * @param {BreakoutView | null | undefined} breakout
 * @param {number | null | undefined} mainSeatId
 * @returns {BreakoutGroupView | null}
 */
export function groupForSeat(breakout, mainSeatId) {
  if (!breakout || mainSeatId == null) return null;
  return (breakout.groups ?? []).find((g) => (g.seat_ids ?? []).includes(mainSeatId)) ?? null;
}

/**
 * @param {BreakoutView | null | undefined} breakout
 * @param {number | null | undefined} groupId
 * @returns {BreakoutGroupView | null}
 */
export function groupById(breakout, groupId) {
  return (breakout?.groups ?? []).find((g) => g.id === groupId) ?? null;
}

/**
 * Seconds left in the breakout (never negative), from its ends_at; null without one.
 * @param {BreakoutView | null | undefined} breakout
 * @param {number} [now]
 */
export function breakoutRemaining(breakout, now = Date.now()) {
  return breakout ? secondsUntil(breakout.ends_at, now) : null;
}

/**
 * A community's label in the reader's language: the welcome's labels, else `fallback`
 * (the page's own label), else the key.
 * @param {Room} room
 * @param {string} key
 * @param {string} lang
 * @param {string} [fallback]
 */
export function communityLabel(room, key, lang, fallback) {
  const labels = room.communities?.[key];
  return labels?.[lang] || fallback || (labels && Object.values(labels).find(Boolean)) || key;
}

/**
 * How far a group's report is agreed: who present said ready, of those present (participants
 * of the group room; anyone ready counts, even a visitor).
 * @param {Room} room a group room
 * @param {GroupReport | null} [report]
 * @returns {{ready: number, of: number, mine: boolean, agreed: boolean}}
 */
export function reportReadiness(room, report = room.report) {
  const members = [...room.present.values()].filter((seat) => seat.role === "participant").map((seat) => seat.seat_id);
  const ready = new Set(report?.ready ?? []);
  const counted = new Set([...members, ...[...ready].filter((id) => room.present.has(id))]);
  return {
    ready: [...counted].filter((id) => ready.has(id)).length,
    of: counted.size,
    mine: room.you != null && ready.has(room.you.seat_id),
    agreed: !!report?.agreed,
  };
}

// Apply one room event (already in order). Returns what changed, for the view: e.g.
// {kind: "statement", statement} so a new statement can be announced.
/**
 * @param {Room} room
 * @param {RoomEvent} frame
 * @returns {Change}
 */
export function applyEvent(room, frame) {
  if (frame.seq != null) room.lastSeq = Math.max(room.lastSeq, frame.seq);
  const you = room.you?.seat_id;
  switch (frame.type) {
    case "statement": {
      if (!frame.statement) return { kind: "none" };
      /** @type {Statement} */
      const statement = { ...frame.statement, seq: frame.seq, at: frame.at };
      room.statements.set(statement.id, statement);
      remember(room, { seat_id: statement.seat_id, display_name: statement.author, role: statement.role,
                       community: statement.community });
      return { kind: "statement", statement };
    }
    case "statement_changed": {
      const statement = room.statements.get(frame.statement_id);
      // Its translations leave with its words (erased when withdrawn, shown nowhere when hidden).
      // Shown again by a facilitator: the statement as it is now comes with the event.
      if (statement && frame.state === "visible") Object.assign(statement, frame.statement ?? { state: "visible" });
      else if (statement) Object.assign(statement, { state: frame.state, text: null, translations: [], translation_pending: false, waiting_for: [] });
      return { kind: "statement_changed", statement, state: frame.state };
    }
    case "translation_posted": {
      const statement = room.statements.get(frame.statement_id);
      if (statement) {
        const others = (statement.translations ?? []).filter((t) => t.language !== frame.language);
        statement.translations = frame.translation && statement.state === "visible" ? [...others, frame.translation] : others;
        statement.translation_pending = frame.translation_pending;
        statement.waiting_for = frame.waiting_for ?? [];
      }
      return { kind: "translation", statement, translation: frame.translation };
    }
    case "reactions_changed": {
      const statement = room.statements.get(frame.statement_id);
      if (statement) statement.reactions = frame.reactions;
      return { kind: "reactions", statement };
    }
    case "presence_joined":
      room.present.set(frame.seat.seat_id, frame.seat);
      remember(room, frame.seat);
      return { kind: "presence", seat: frame.seat, joined: true };
    case "presence_left":
      room.present.delete(frame.seat.seat_id);
      return { kind: "presence", seat: frame.seat, joined: false };
    case "session_status":
      if (room.session) {
        room.session.status = frame.status;
        room.session.pause_reason = frame.status === "paused" ? frame.reason ?? null : null;
        if (frame.status === "ended") room.session.ended_at = frame.at;
      }
      return { kind: "status", status: frame.status, reason: frame.reason };
    case "agenda_changed":
      room.agenda = frame.agenda;
      if (frame.agenda.item) {
        const { id, position, kind, title } = frame.agenda.item;
        room.agendaItems.set(id, { id, position, kind, title });
      }
      return { kind: "agenda", action: frame.action };
    case "floor_changed":
      room.floor = frame.floor;
      if (room.you) room.you.hand_raised = frame.floor.queue.includes(room.you.seat_id);
      return { kind: "floor", action: frame.action, seat_id: frame.seat_id };
    case "round_changed":
      room.round = frame.round.status === "active" ? frame.round : null;
      return { kind: "round", action: frame.action, round: frame.round };
    case "poll_changed":
      room.polls.set(frame.poll.id, { ...(room.polls.get(frame.poll.id) || {}), ...frame.poll });
      return { kind: "poll", action: frame.action, poll: room.polls.get(frame.poll.id) };
    case "poll_progress": {
      const poll = room.polls.get(frame.poll_id);
      if (poll) poll.answered = frame.answered;
      return { kind: "poll", action: "progress", poll };
    }
    case "seat_changed": {
      remember(room, frame.seat);
      setMuted(room, frame.seat);
      if (frame.seat.status !== "admitted") room.present.delete(frame.seat.seat_id);
      return { kind: "seat", action: frame.action, seat: frame.seat };
    }
    case "lobby_message":
      if (room.session) room.session.lobby_message = frame.lobby_message;
      return { kind: "lobby_message" };
    case "room_settings":
      room.slowModeSeconds = frame.slow_mode_seconds;
      room.locked = frame.locked;
      if (room.session && frame.speaking_mode) room.session.speaking_mode = frame.speaking_mode;
      return { kind: "settings" };
    case "moderation": {
      const notice = { ...frame };
      if (frame.seat_id === you) room.notices.push(notice);
      return { kind: "moderation", notice, mine: frame.seat_id === you };
    }
    case "turn_warning":
      if (frame.seat_id === you) room.notices.push({ ...frame });
      return { kind: "turn_warning", mine: frame.seat_id === you, seconds_left: frame.seconds_left };
    case "private_message":
      if (frame.message) room.messages.push({ ...frame.message, channel: frame.channel, about_seat_id: frame.about_seat_id, seq: frame.seq });
      // A participant's check-in is also an alert in the console, until a facilitator marks it done.
      if (frame.channel === "check_in" && frame.message && !isFacilitator(frame.message.role) && isFacilitator(room.you?.role)) {
        room.alerts.push({ ...frame });
        return { kind: "alert", alert: frame };
      }
      return { kind: "message", message: frame.message, channel: frame.channel };
    case "breakout_changed":
      setBreakout(room, frame.breakout);
      return { kind: "breakout", action: frame.action, breakout: frame.breakout };
    case "report_changed": {
      /** @type {GroupReport} */
      const report = { group_id: frame.group_id, version: frame.version, text: frame.text ?? "", ready: frame.ready ?? [], agreed: frame.agreed };
      // Events come in order; a report already newer (a command's result applied first) stays.
      if (!room.report || room.report.group_id !== report.group_id || room.report.version <= report.version) room.report = report;
      return { kind: "report", report: room.report };
    }
    case "broadcast": {
      const broadcast = { ...frame };
      room.broadcasts.push(broadcast);
      return { kind: "broadcast", broadcast };
    }
    case "group_alert":
    case "break_requested":
    case "report_made":
    case "time_up":
      room.alerts.push({ ...frame });
      return { kind: "alert", alert: frame };
    case "alert_done":
      room.alerts = room.alerts.filter((alert) => alert.seq !== frame.alert_seq);
      return { kind: "alert_done", alert_seq: frame.alert_seq };
    default:
      return { kind: "none" }; // a newer server's event: ignored, never fatal
  }
}

/**
 * @param {Room} room
 * @param {number | null | undefined} seatId
 */
export function seatName(room, seatId) {
  return (seatId == null ? undefined : room.seats.get(seatId)?.display_name) ?? `#${seatId}`;
}

/** @param {Room} room */
export function orderedStatements(room) {
  return [...room.statements.values()].sort((a, b) => a.seq - b.seq);
}

// Translations -----------------------------------------------------------------------------

/**
 * The statement's translation into `language`, if it has one (never for a hidden or withdrawn one).
 * @param {Statement} statement
 * @param {string} language
 * @returns {TranslationView | null}
 */
export function translationInto(statement, language) {
  if (statement.state !== "visible") return null;
  return (statement.translations ?? []).find((t) => t.language === language) ?? null;
}

// Whether this seat may translate the statement (the server decides; this only offers the action):
// interpreters and facilitator accounts any statement, participants and co-facilitators their own.
/**
 * @param {Room} room
 * @param {Statement} statement
 */
export function mayTranslate(room, statement) {
  const you = room.you;
  if (!you || statement.state !== "visible" || room.session?.status !== "live") return false;
  if ((room.session?.languages ?? []).length < 2) return false;
  const mutedUntil = you.muted_until ? Date.parse(you.muted_until) : null;
  if (you.muted && (mutedUntil == null || mutedUntil > Date.now())) return false;
  if (you.role === "interpreter" || isFacilitator(you.role)) return true;
  return you.role !== "observer" && statement.seat_id === you.seat_id;
}

// Whether this seat may post a statement now, and if not, why (a translation key).
// The server decides; this only keeps the composer honest about it.
/**
 * @param {Room} room
 * @param {number} [now]
 * @returns {ComposerState}
 */
export function composerState(room, now = Date.now()) {
  const you = room.you;
  const status = room.session?.status;
  if (room.ended) return { enabled: false, reason: "composer.ended" };
  if (!you) return { enabled: false, reason: "composer.connecting" };
  if (you.role === "observer") return { enabled: false, reason: "composer.observer" };
  if (you.role === "interpreter") return { enabled: false, reason: "composer.interpreter" };
  if (status === "paused") return { enabled: false, reason: "composer.paused" };
  if (status === "ended" || status === "archived") return { enabled: false, reason: "composer.session_ended" };
  if (status !== "live") return { enabled: false, reason: "composer.not_live" };
  const mutedUntil = you.muted_until ? Date.parse(you.muted_until) : null;
  if (you.muted && (mutedUntil == null || mutedUntil > now)) {
    // A mute for a time says until when; one until a facilitator lifts it says so.
    return mutedUntil == null ? { enabled: false, reason: "composer.muted" } : { enabled: false, reason: "composer.muted_until", until: mutedUntil };
  }
  if (isFacilitator(you.role)) return { enabled: true, reason: null };
  if (room.agenda?.item?.kind === "break") return { enabled: false, reason: "composer.break" };
  if (room.round) {
    return room.round.current_seat_id === you.seat_id
      ? { enabled: true, reason: "composer.your_turn" }
      : { enabled: false, reason: "composer.round" };
  }
  if (room.session?.speaking_mode === "queued" && room.floor.seat_id !== you.seat_id) {
    // Someone already in the queue sees their place, not "raise your hand".
    const place = room.floor.queue.indexOf(you.seat_id) + 1;
    return place ? { enabled: false, reason: "composer.queue_place", place } : { enabled: false, reason: "composer.queue" };
  }
  return { enabled: true, reason: room.floor.seat_id === you.seat_id ? "composer.your_floor" : null };
}

// Seconds left until an ISO moment (never negative), or null.
/**
 * @param {string | null | undefined} iso
 * @param {number} [now]
 */
export function secondsUntil(iso, now = Date.now()) {
  if (!iso) return null;
  return Math.max(0, Math.round((Date.parse(iso) - now) / 1000));
}

/** @param {number | null} seconds */
export function formatClock(seconds) {
  if (seconds == null) return "";
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

/**
 * A command's result (report_edit, report_ready): the report as the server has it now, unless
 * an event already brought a newer one.
 * @param {Room} room
 * @param {GroupReport | null | undefined} report
 */
export function applyReport(room, report) {
  if (!report) return room.report;
  if (!room.report || room.report.group_id !== report.group_id || room.report.version <= report.version) room.report = { ...report };
  return room.report;
}

/**
 * The group room this browser should show now, from the main room's state: a participant's
 * own group, or the group a staff member chose to visit; none once the breakout ended here.
 * @param {Room} room the main room
 * @param {{visiting?: number | null, refused?: number | null, ended?: ReadonlySet<number>}} [choices]
 *   visiting: the group session a facilitator or interpreter entered; refused: a group session
 *   that closed this seat out (4410) while the main room still places it there; ended: breakouts
 *   a group room said ended before the main room did
 * @returns {number | null}
 */
export function wantedGroupSession(room, { visiting = null, refused = null, ended = new Set() } = {}) {
  const breakout = room.breakout;
  if (!breakout || breakout.status !== "open" || ended.has(breakout.id) || !room.you) return null;
  // A page whose own room is a group's (a facilitator's console of one group) opens no other.
  if (room.group) return null;
  const own = room.you.group_session_id ?? null;
  if (own != null) return own === refused ? null : own;
  if (visiting != null && breakout.groups.some((g) => g.session_id === visiting)) return visiting;
  return null;
}
