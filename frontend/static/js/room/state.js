// @ts-check
// The room as this browser knows it: built from the welcome frame and changed by each room
// event, in order. Pure logic, no DOM, so it runs (and is tested) under Node too.
//
// Every event that changes a part of the room carries that whole part (the agenda, the
// floor, a round, a poll, a seat), so applying the catch-up after a reconnect on top of a
// newer welcome still ends in the right state.

/**
 * @import { Change, ComposerState, KnownSeat, Room, RoomEvent, SeatChange, Statement, TranslationView, WelcomeFrame,
 *   Reaction } from "./types.js"
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
