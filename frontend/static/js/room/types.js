// @ts-check
// Types only (JSDoc, checked by `scripts/check-js`; nothing here runs). The room protocol's
// frames as app/live/protocol.py defines them and its commands as app/live/commands.py
// does (docs/protocol.md explains both), the views they carry, and this browser's room
// state (state.js). Import them with `/** @import { ServerFrame } from "./types.js" */`.
//
// Times are ISO 8601 strings. Roles, statuses and actions the server may extend are plain
// strings where the code must not break on a new value.

// Views carried by the welcome, events and results ------------------------------------------

/** @typedef {"facilitator" | "co_facilitator" | "participant" | "observer" | "interpreter"} Role */
/** @typedef {"draft" | "scheduled" | "open" | "live" | "paused" | "ended" | "archived" | "cancelled"} SessionStatus */
/** @typedef {"open" | "queued"} SpeakingMode */
/** @typedef {"hear_you" | "thank_you" | "question"} Reaction */
/** @typedef {Partial<Record<string, number>>} ReactionCounts counts by reaction kind */
/** @typedef {Record<string, string>} Texts facilitators' words, one text per language (texts.js picks the reader's) */

/**
 * A seat in the room (presence).
 * @typedef {object} SeatSummary
 * @property {number} seat_id
 * @property {string} display_name
 * @property {string} role
 * @property {string | null} community its community's key
 */

/**
 * This browser's own seat.
 * @typedef {object} You
 * @property {number} seat_id
 * @property {string} display_name
 * @property {string} role
 * @property {boolean} muted
 * @property {string | null} [muted_until]
 * @property {boolean} [hand_raised]
 * @property {number | null} [group_session_id] main room: the breakout group's session this seat is placed in
 *   (state.js derives it from the breakout); in a group room: that room's own session
 * @property {number} [main_seat_id] group room only: this person's seat in the main room (`seat_id` is the group's)
 */

/**
 * @typedef {object} AgendaItem
 * @property {number} id
 * @property {number} position from 0
 * @property {string} kind e.g. "discussion", "round", "poll", "break"
 * @property {Texts} title
 * @property {Texts | null} prompt
 * @property {number} planned_seconds
 */

/**
 * The current agenda item and its clock.
 * @typedef {object} Agenda
 * @property {AgendaItem | null} item null before the first item
 * @property {boolean} running
 * @property {number | null} remaining_seconds
 * @property {string | null} ends_at when running
 * @property {number} count items in the agenda
 */

/**
 * Who holds the floor, until when, and the queue.
 * @typedef {object} Floor
 * @property {number | null} seat_id
 * @property {string | null} since
 * @property {string | null} ends_at
 * @property {number[]} queue seat ids in order
 */

/** @typedef {"pending" | "spoke" | "passed" | "skipped" | "timed_out"} TurnOutcome */

/**
 * @typedef {object} RoundTurn
 * @property {number} seat_id
 * @property {number} position
 * @property {TurnOutcome} outcome
 * @property {boolean} deferred
 */

/**
 * A go-around round.
 * @typedef {object} Round
 * @property {number} id
 * @property {number} number
 * @property {Texts | null} prompt the agenda item's, as it was when the round started
 * @property {number} turn_seconds
 * @property {string} status "active" while it runs
 * @property {number | null} agenda_item_id
 * @property {number | null} current_seat_id
 * @property {string | null} turn_started_at
 * @property {string | null} turn_ends_at
 * @property {RoundTurn[]} turns
 */

/**
 * @typedef {object} PollResults
 * @property {number[]} counts by option
 * @property {number} voters
 * @property {string[][]} [by_option] names, when not anonymous
 */

/**
 * A poll; `your_choices` only in the welcome and in this seat's own poll_answer result.
 * @typedef {object} Poll
 * @property {number} id
 * @property {Texts} question
 * @property {Texts[]} options
 * @property {boolean} multiple
 * @property {boolean} anonymous
 * @property {"open" | "closed"} status
 * @property {number | null} [agenda_item_id]
 * @property {string | null} [opened_at]
 * @property {string | null} [closed_at]
 * @property {number | null} [answered]
 * @property {PollResults | null} results null until closed
 * @property {number[] | null} [your_choices]
 */

/** @typedef {"visible" | "hidden" | "withdrawn"} StatementState */

/** @typedef {"author" | "facilitator" | "interpreter"} TranslatedBy */

/**
 * A statement's words in another language of the programme.
 * @typedef {object} TranslationView
 * @property {number} translation_id
 * @property {string} language
 * @property {string} text
 * @property {TranslatedBy} by
 */

/**
 * A statement as the room shows it (no words, and no translations, when hidden or withdrawn).
 * @typedef {object} StatementView
 * @property {number} id
 * @property {number} seat_id
 * @property {string} author display name
 * @property {string} role
 * @property {string | null} community
 * @property {string | null} text
 * @property {number | null} reply_to
 * @property {string | null} [at] when it was posted (ISO 8601)
 * @property {StatementState} state
 * @property {ReactionCounts} reactions
 * @property {TranslationView[]} translations one per language at most
 * @property {boolean} translation_pending an interpreter is in the room and a reader's language has none yet
 * @property {string[]} [waiting_for] the languages it still waits to be translated into
 */

/**
 * A seat whose place changed (seat_changed).
 * @typedef {object} SeatChange
 * @property {number} seat_id
 * @property {string} display_name
 * @property {string} role
 * @property {string} status "lobby", "admitted", "removed", "banned", …
 * @property {boolean} muted
 * @property {string | null} muted_until
 */

/** @typedef {"backchannel" | "check_in"} MessageChannel */

/**
 * Back-channel or check-in words.
 * @typedef {object} PrivateMessage
 * @property {number} id
 * @property {number} seat_id
 * @property {string} author
 * @property {string} role
 * @property {string} text
 */

// Breakouts and caucuses --------------------------------------------------------------------

/** @typedef {"caucus" | "mixed" | "manual"} Grouping */

/**
 * One group of a breakout: a child session with its own room.
 * @typedef {object} BreakoutGroupView
 * @property {number} id
 * @property {number} number from 1
 * @property {number} session_id the group's own session (its room: /ws/sessions/{session_id})
 * @property {string | null} community a caucus's community key; null in mixed and manual groups
 * @property {number[]} seat_ids the members' MAIN-room seat ids
 */

/**
 * A breakout of the main session into groups.
 * @typedef {object} BreakoutView
 * @property {number} id
 * @property {number | null} item_id the agenda item (kind "breakout")
 * @property {Grouping | string} grouping
 * @property {"open" | "ended"} status
 * @property {string} opened_at
 * @property {string} ends_at
 * @property {number} remaining_seconds when the view was made (may have a fraction)
 * @property {BreakoutGroupView[]} groups
 * @property {number[]} unplaced main seat ids of admitted participants in no group
 */

/**
 * A group's draft report to the main room.
 * @typedef {object} GroupReport
 * @property {number} group_id
 * @property {number} version 0 before the first save
 * @property {string} text at most 2000 characters
 * @property {number[]} ready seat ids of the GROUP room that said ready
 * @property {boolean} agreed the text is not empty and every member present said ready
 */

/**
 * A group room's own group (its welcome's `state.group`).
 * @typedef {object} GroupInfo
 * @property {number} id
 * @property {number} number
 * @property {string | null} community
 * @property {number} main_session_id
 * @property {GroupReport} report
 */

/**
 * breakout_propose's result: groups as they would be (nothing changes).
 * @typedef {object} BreakoutProposal
 * @property {{community: string | null, seat_ids: number[]}[]} groups
 * @property {number[]} unplaced
 */

/**
 * breakout_glance's result: how each group is doing.
 * @typedef {object} BreakoutGlance
 * @property {number} breakout_id
 * @property {number} remaining_seconds
 * @property {{group_id: number, present: number[], statements: number,
 *   report: {written: boolean, agreed: boolean, ready: number, present: number}}[]} groups
 */

/**
 * The state the welcome carries.
 * An agenda item as the welcome lists them all (what events name by id is looked up here).
 * @typedef {object} AgendaEntry
 * @property {number} id
 * @property {number} position from 0
 * @property {string} kind
 * @property {Texts} title
 */

/**
 * @typedef {object} RoomStateView
 * @property {number} session_id
 * @property {string[]} languages the programme's, in order: the fallback order of every text
 * @property {Texts} title
 * @property {Texts} lobby_message
 * @property {Texts} pause_message shown in the room while the session is paused
 * @property {string | null} [pause_reason] while paused: the reason the facilitator gave
 * @property {SessionStatus} status
 * @property {boolean} show_communities
 * @property {SpeakingMode} speaking_mode
 * @property {Agenda} agenda
 * @property {AgendaEntry[]} agenda_items every item of the agenda
 * @property {SeatSummary[]} present
 * @property {Floor} floor
 * @property {Round | null} round
 * @property {Poll[]} polls
 * @property {number} slow_mode_seconds
 * @property {boolean} locked
 * @property {number[]} muted seats muted now
 * @property {BreakoutView | null} [breakout] the open breakout (main and group rooms)
 * @property {GroupInfo} [group] a group room's own group
 * @property {Record<string, Texts>} [communities] key → label in each language
 */

// Server frames ---------------------------------------------------------------------------

/**
 * Sent once, first.
 * @typedef {object} WelcomeFrame
 * @property {"welcome"} type
 * @property {number} last_seq the state is as of this event
 * @property {RoomStateView} state
 * @property {You} you
 */

/**
 * What every room event has.
 * @typedef {object} EventBase
 * @property {number} seq from 1, no gaps
 * @property {string} at
 */

/** @typedef {EventBase & {type: "statement", statement_id: number, statement: StatementView | null}} StatementEvent */
/**
 * A translation was attached to a statement (or replaced its translation in that language). `by`: who posted
 * this one; `translation`: as it is now (null when its statement is hidden or withdrawn).
 * @typedef {EventBase & {type: "translation_posted", statement_id: number, translation_id: number, language: string,
 *   by: TranslatedBy, translation: TranslationView | null, translation_pending: boolean, waiting_for?: string[]}} TranslationPostedEvent
 */
/** @typedef {EventBase & {type: "presence_joined", seat: SeatSummary}} PresenceJoinedEvent */
/** @typedef {EventBase & {type: "presence_left", seat: SeatSummary}} PresenceLeftEvent */
/** @typedef {EventBase & {type: "session_status", status: SessionStatus, reason?: string | null}} SessionStatusEvent */
/** @typedef {EventBase & {type: "agenda_changed", action: string, agenda: Agenda}} AgendaChangedEvent */
/**
 * `action`: hand_raised, hand_lowered, given, taken, moved, time_up, left.
 * @typedef {EventBase & {type: "floor_changed", action: string, seat_id: number | null, floor: Floor}} FloorChangedEvent
 */
/** @typedef {EventBase & {type: "round_changed", action: string, round: Round}} RoundChangedEvent */
/** @typedef {EventBase & {type: "poll_changed", action: string, poll: Poll}} PollChangedEvent */
/** @typedef {EventBase & {type: "poll_progress", poll_id: number, answered: number}} PollProgressEvent facilitators only */
/** @typedef {EventBase & {type: "seat_changed", action: string, seat: SeatChange}} SeatChangedEvent */
/**
 * To the seat acted on (and the facilitators).
 * @typedef {EventBase & {type: "moderation", action: string, seat_id: number, reason: string | null,
 *   until?: string | null, statement_id?: number | null}} ModerationEvent
 */
/** @typedef {EventBase & {type: "statement_changed", statement_id: number, state: "hidden" | "withdrawn" | "visible", statement?: Statement | null}} StatementChangedEvent `visible`: shown again, with the statement as it is now */
/** @typedef {EventBase & {type: "reactions_changed", statement_id: number, reactions: ReactionCounts}} ReactionsChangedEvent */
/** @typedef {EventBase & {type: "room_settings", slow_mode_seconds: number, locked: boolean, speaking_mode?: SpeakingMode}} RoomSettingsEvent */
/** @typedef {EventBase & {type: "lobby_message", lobby_message: Texts}} LobbyMessageEvent */
/** @typedef {EventBase & {type: "break_requested", seat_id: number}} BreakRequestedEvent facilitators only */
/**
 * Facilitators only.
 * @typedef {EventBase & {type: "report_made", report_id: number, statement_id: number, seat_id: number,
 *   reason: string}} ReportMadeEvent
 */
/**
 * The back-channel (facilitators) or a check-in (one participant and the facilitators).
 * @typedef {EventBase & {type: "private_message", message_id: number, channel: MessageChannel,
 *   about_seat_id: number | null, message: PrivateMessage | null}} PrivateMessageEvent
 */
/** @typedef {EventBase & {type: "time_up", item_id: number}} TimeUpEvent facilitators only; the title is the agenda's */
/** @typedef {EventBase & {type: "alert_done", alert_seq: number}} AlertDoneEvent facilitators only: that alert's event was marked done */
/** @typedef {EventBase & {type: "turn_warning", seat_id: number, seconds_left: number}} TurnWarningEvent */
/**
 * Main and group rooms: a breakout opened, someone was moved, its time extended, or it ended.
 * @typedef {EventBase & {type: "breakout_changed", action: "opened" | "moved" | "arrived" | "extended" | "ended" | string,
 *   breakout: BreakoutView}} BreakoutChangedEvent
 */
/**
 * Facilitators, main room: something in a group needs them (an alert, marked done with alert_done).
 * @typedef {EventBase & {type: "group_alert", group_id: number, kind: "break_requested" | "report_made" | string}} GroupAlertEvent
 */
/**
 * Group room: the report as it is now (`text` null only if its words could not be joined in).
 * @typedef {EventBase & {type: "report_changed", group_id: number, version: number, text: string | null, ready: number[],
 *   agreed: boolean}} ReportChangedEvent
 */
/** @typedef {EventBase & {type: "broadcast", message_id: number, text: string | null}} BroadcastEvent group room: the facilitators' message to every group */

/**
 * Every room event (app/events/schemas.py: ROOM_EVENT_TYPES): numbered, in order, applied once.
 * @typedef {StatementEvent | TranslationPostedEvent | PresenceJoinedEvent | PresenceLeftEvent | SessionStatusEvent | AgendaChangedEvent
 *   | FloorChangedEvent | RoundChangedEvent | PollChangedEvent | PollProgressEvent | SeatChangedEvent
 *   | ModerationEvent | StatementChangedEvent | ReactionsChangedEvent | RoomSettingsEvent | LobbyMessageEvent
 *   | BreakRequestedEvent | ReportMadeEvent | PrivateMessageEvent | TimeUpEvent | AlertDoneEvent | TurnWarningEvent
 *   | BreakoutChangedEvent | GroupAlertEvent | ReportChangedEvent | BroadcastEvent} RoomEvent
 */
/** @typedef {RoomEvent["type"]} RoomEventType */
/**
 * The room event of one type.
 * @template {RoomEventType} T
 * @typedef {Extract<RoomEvent, {type: T}>} RoomEventOf
 */

/**
 * An event this client may not see: its number only, so the sequence has no gap.
 * @typedef {object} NoopFrame
 * @property {"noop"} type
 * @property {number} seq
 */

/**
 * A statement was stored.
 * @typedef {object} AckFrame
 * @property {"ack"} type
 * @property {string} client_id
 * @property {number} seq
 * @property {number} statement_id
 */

/**
 * A command was carried out (and committed).
 * @typedef {object} OkFrame
 * @property {"ok"} type
 * @property {string | null} [ref]
 * @property {string} command
 * @property {unknown} [result]
 */

/**
 * @typedef {object} ErrorFrame
 * @property {"error"} type
 * @property {string} code
 * @property {string} message
 * @property {string | null} [client_id] a statement's
 * @property {string | null} [ref] a command's
 * @property {number | null} [retry_after] seconds
 */

/**
 * @typedef {object} RangeUnavailableFrame
 * @property {"range_unavailable"} type
 * @property {number} from_seq
 * @property {number} to_seq
 * @property {string} message
 */

/**
 * @typedef {object} PongFrame
 * @property {"pong"} type
 */

/**
 * Everything the server sends, told apart by `type`.
 * @typedef {WelcomeFrame | RoomEvent | NoopFrame | AckFrame | OkFrame | ErrorFrame | RangeUnavailableFrame | PongFrame} ServerFrame
 */
/** @typedef {ServerFrame["type"]} ServerFrameType */

// Client commands ------------------------------------------------------------------------------

/**
 * Each command's fields (besides `type` and `ref`), by type. `statement`, `fetch` and
 * `ping` are the connection's own; every other one goes through RoomConnection.command().
 * @typedef {object} CommandFields
 * @property {{client_id: string, text: string, reply_to?: number | null}} statement
 * @property {{from_seq: number, to_seq: number}} fetch
 * @property {{}} ping
 * @property {{}} session_start
 * @property {{reason?: string | null}} session_pause
 * @property {{}} session_resume
 * @property {{}} session_end
 * @property {{current_item_id: number | null}} agenda_next
 * @property {{current_item_id: number | null}} agenda_back
 * @property {{current_item_id: number | null, item_id: number}} agenda_go
 * @property {{item_id: number}} agenda_pause
 * @property {{item_id: number}} agenda_resume
 * @property {{item_id: number, minutes: number}} agenda_extend
 * @property {{}} hand_raise
 * @property {{seat_id?: number | null}} hand_lower
 * @property {{seat_id: number, seconds?: number | null}} floor_give
 * @property {{}} floor_take
 * @property {{}} floor_done
 * @property {{seat_id: number, position: number}} queue_move
 * @property {{order?: number[] | null, turn_seconds?: number | null}} round_start
 * @property {{round_id: number, order: number[]}} round_reorder
 * @property {{round_id: number, seat_id: number}} round_skip
 * @property {{round_id: number}} round_next
 * @property {{round_id: number}} round_end
 * @property {{round_id: number}} round_done
 * @property {{round_id: number, for_now?: boolean}} round_pass
 * @property {{question?: string | Texts | null, options: (string | Texts)[], multiple?: boolean, anonymous?: boolean}} poll_open
 * @property {{poll_id: number, choices: number[]}} poll_answer
 * @property {{poll_id: number}} poll_close
 * @property {{}} balance
 * @property {{seat_id: number, minutes?: number | null, reason?: string | null}} mute
 * @property {{seat_id: number}} unmute
 * @property {{seat_id: number, reason: string}} send_to_lobby
 * @property {{seat_id: number, reason: string}} remove
 * @property {{seat_id: number, reason: string}} ban
 * @property {{statement_id: number, reason: string}} hide
 * @property {{statement_id: number}} hidden_read
 * @property {{statement_id: number}} unhide
 * @property {{seconds: number}} slow_mode
 * @property {{mode: SpeakingMode}} speaking_mode
 * @property {{locked: boolean}} lock
 * @property {{statement_id: number, reaction: Reaction, on?: boolean}} react
 * @property {{}} break_request
 * @property {{alert_seq: number}} alert_done
 * @property {{statement_id: number, reason?: string | null}} report
 * @property {{statement_id: number}} withdraw
 * @property {{client_id: string, statement_id: number, language: string, text: string}} translate
 * @property {{text: string}} backchannel
 * @property {{seat_id?: number | null, text: string}} check_in
 * @property {{item_id: number}} breakout_propose
 * @property {{item_id: number, groups: number[][] | null, minutes: number | null}} breakout_open
 * @property {{breakout_id: number, seat_id: number, group_id: number | null}} breakout_move
 * @property {{breakout_id: number, minutes: number}} breakout_extend
 * @property {{breakout_id: number, text: string}} breakout_broadcast
 * @property {{breakout_id: number}} breakout_end
 * @property {{breakout_id: number}} breakout_glance
 * @property {{text: string, version: number}} report_edit
 * @property {{version: number, ready: boolean}} report_ready
 */
/** @typedef {keyof CommandFields} CommandType */
/** @typedef {Exclude<CommandType, "statement" | "fetch" | "ping">} RoomCommandType commands answered by ok or error */
/**
 * A command as sent.
 * @template {CommandType} T
 * @typedef {{type: T, ref?: string} & CommandFields[T]} CommandOf
 */
/** @typedef {{[T in CommandType]: CommandOf<T>}[CommandType]} ClientCommand */

/**
 * @typedef {object} CommunityTally
 * @property {string} key
 * @property {number} turns
 * @property {number} words
 * @property {number} turn_share 0…1
 * @property {number} word_share 0…1
 */
/**
 * @typedef {object} Tally
 * @property {CommunityTally[]} communities
 * @property {number} turns
 * @property {number} words
 */
/**
 * The balance between communities, in the session and in the current item.
 * @typedef {object} BalanceResult
 * @property {Tally} session
 * @property {Tally | null} item
 */
/**
 * What an ok's `result` holds, where this code reads it.
 * @template {RoomCommandType} T
 * @typedef {T extends "poll_answer" ? Poll : T extends "balance" ? BalanceResult
 *   : T extends "breakout_open" ? BreakoutView : T extends "breakout_propose" ? BreakoutProposal
 *   : T extends "breakout_glance" ? BreakoutGlance : T extends "report_edit" | "report_ready" ? GroupReport
 *   : unknown} CommandResult
 */

// The connection ---------------------------------------------------------------------------------

/** @typedef {"connecting" | "open" | "offline" | "ended"} ConnectionState */
/**
 * @typedef {object} CloseInfo
 * @property {number} code
 * @property {string} reason
 */
/**
 * A reconnect the connection is waiting to make.
 * @typedef {object} Reconnecting
 * @property {number} delay ms from now
 * @property {number} code the close code it follows (0: none, a "try now" held back)
 */
/**
 * A statement refused for good.
 * @typedef {object} StatementError
 * @property {string} clientId
 * @property {string} code
 * @property {string} message
 */
/**
 * An Error from a refused command (`code`, and `retryAfter` seconds when the server said).
 * @typedef {Error & {code: string, retryAfter?: number}} RoomError
 */
/**
 * The `detail` of each event a RoomConnection dispatches.
 * @typedef {object} ConnectionEventMap
 * @property {ConnectionState} state
 * @property {WelcomeFrame} welcome
 * @property {RoomEvent} event in seq order, once
 * @property {null} reset drop local events
 * @property {AckFrame} ack
 * @property {StatementError} statement-error
 * @property {CloseInfo} closed every close
 * @property {CloseInfo} ended a final close (1008, 4401, 4403, 4429: connection.js's FINAL_CLOSE): nothing will
 *   reconnect unless start() is called again
 * @property {Reconnecting} reconnecting a reconnect is waiting (after a close, or a "try now" the server's
 *   retry_after still holds back)
 * @property {ErrorFrame} protocol-error an error naming neither client_id nor ref
 */

// The room as this browser knows it (state.js) ---------------------------------------------------

/**
 * @typedef {object} SessionInfo
 * @property {number} session_id
 * @property {string[]} languages the programme's, in order
 * @property {Texts} title
 * @property {Texts} lobby_message
 * @property {Texts} pause_message
 * @property {string | null} pause_reason while paused: the facilitator's reason, as they wrote it
 * @property {string | null} [ended_at] when the session ended (its session_status event's time), once it has
 * @property {SessionStatus} status
 * @property {boolean} show_communities
 * @property {SpeakingMode} speaking_mode
 */

/**
 * Every seat this browser heard of: what was said about it, merged.
 * @typedef {object} KnownSeat
 * @property {number} seat_id
 * @property {string} [display_name]
 * @property {string} [role]
 * @property {string | null} [community]
 * @property {string} [status]
 * @property {boolean} [muted]
 * @property {string | null} [muted_until]
 */

/** @typedef {StatementView & {seq: number, at: string}} Statement a statement with its event's number and time */
/** @typedef {PrivateMessage & {channel: MessageChannel, about_seat_id: number | null, seq: number}} Message */
/** @typedef {BreakRequestedEvent | ReportMadeEvent | TimeUpEvent | PrivateMessageEvent | GroupAlertEvent} Alert for facilitators (a private message: a participant's check-in) */
/** @typedef {ModerationEvent | TurnWarningEvent} Notice to this seat */

/**
 * The room state object createRoom() makes.
 * @typedef {object} Room
 * @property {number} lastSeq
 * @property {SessionInfo | null} session
 * @property {You | null} you
 * @property {Agenda | null} agenda
 * @property {Map<number, AgendaEntry>} agendaItems every item heard of, by id (a time-up names one)
 * @property {Floor} floor
 * @property {Round | null} round only an active one
 * @property {Map<number, Poll>} polls by id
 * @property {number} slowModeSeconds
 * @property {boolean} locked
 * @property {Set<number>} muted seat ids
 * @property {Map<number, SeatSummary>} present by seat id
 * @property {Map<number, KnownSeat>} seats by seat id
 * @property {Map<number, Statement>} statements by id, in seq order
 * @property {Message[]} messages back-channel and check-ins this browser may see
 * @property {Alert[]} alerts
 * @property {Notice[]} notices
 * @property {CloseInfo | null} ended once this seat's place in the room ended
 * @property {BreakoutView | null} breakout the open breakout, else null (an ended one is null)
 * @property {Record<string, Texts>} communities key → label in each language (the welcome's; {} when it has none)
 * @property {GroupInfo | null} group a group room's own group; null in the main room
 * @property {GroupReport | null} report a group room's report as it is now
 * @property {BroadcastEvent[]} broadcasts a group room: the facilitators' messages, oldest first
 */

/**
 * What applyEvent() (or applyWelcome()) says changed, by `kind`.
 * @typedef {{kind: "welcome"} | {kind: "none"} | {kind: "settings"} | {kind: "lobby_message"}
 *   | {kind: "statement", statement: Statement}
 *   | {kind: "statement_changed", statement: Statement | undefined, state: "hidden" | "withdrawn" | "visible"}
 *   | {kind: "reactions", statement: Statement | undefined}
 *   | {kind: "translation", statement: Statement | undefined, translation: TranslationView | null}
 *   | {kind: "presence", seat: SeatSummary, joined: boolean}
 *   | {kind: "status", status: SessionStatus, reason: string | null | undefined}
 *   | {kind: "agenda", action: string}
 *   | {kind: "floor", action: string, seat_id: number | null}
 *   | {kind: "round", action: string, round: Round}
 *   | {kind: "poll", action: string, poll: Poll | undefined}
 *   | {kind: "seat", action: string, seat: SeatChange}
 *   | {kind: "moderation", notice: ModerationEvent, mine: boolean}
 *   | {kind: "turn_warning", mine: boolean, seconds_left: number}
 *   | {kind: "message", message: PrivateMessage | null, channel: MessageChannel}
 *   | {kind: "alert", alert: Alert} | {kind: "alert_done", alert_seq: number}
 *   | {kind: "breakout", action: string, breakout: BreakoutView}
 *   | {kind: "report", report: GroupReport} | {kind: "broadcast", broadcast: BroadcastEvent}} Change
 */

/**
 * Why the composer is closed, or what it may say when open (translation keys).
 * @typedef {"composer.ended" | "composer.connecting" | "composer.observer" | "composer.paused"
 *   | "composer.session_ended" | "composer.not_live" | "composer.muted" | "composer.break" | "composer.your_turn"
 *   | "composer.round" | "composer.queue" | "composer.queue_place" | "composer.muted_until" | "composer.your_floor" | "composer.interpreter"} ComposerReason
 */
/**
 * @typedef {object} ComposerState
 * @property {boolean} enabled
 * @property {ComposerReason | null} reason
 * @property {number} [place] with composer.queue_place: one's place in the speaking queue (1 = next)
 * @property {number} [until] with composer.muted_until: when the mute ends (ms since the epoch)
 */

// The page ---------------------------------------------------------------------------------------

/** @typedef {import("../i18n.js").Translate} Translate a translator made by i18n.js's createTranslator() */

/**
 * The room page's JSON data block (`<script id="room-data">`, app/web/room_pages.py).
 * @typedef {object} RoomData
 * @property {number} session_id
 * @property {"participant" | "facilitator"} role
 * @property {string} lang
 * @property {Record<string, string>} communities key → label in the page's language
 * @property {Record<string, string>} [language_names] each programme language's name (for the console's fields)
 * @property {string} waiting_url
 * @property {number} max_statement_chars the longest statement, in characters (code points)
 * @property {boolean} keep_transcript whether the session keeps a transcript (the closing screen says what happens to it)
 * @property {number} withdrawal_hours how long after the end a participant may withdraw their statements
 */

/**
 * The session's JSON API (fetch with the CSRF header): resolves with the parsed JSON answer,
 * rejects with an Error carrying `code`.
 * @typedef {(method: "GET" | "POST" | "PUT", path: string, body?: unknown) => Promise<unknown>} Api
 */

/**
 * A seat as `GET /api/sessions/{id}/seats` lists it (SeatPublic in app/dialogues/schemas.py).
 * @typedef {object} SeatPublic
 * @property {number} id
 * @property {string} display_name
 * @property {string} pseudonym
 * @property {string | null} community
 * @property {string} role
 * @property {string} status
 * @property {string} joined_at
 * @property {string | null} [invited_as] the name the invitation was made for (facilitators only)
 */

/**
 * An entry of `GET /api/sessions/{id}/audit` (app/facilitation/audit.py).
 * @typedef {object} AuditEntry
 * @property {number} id
 * @property {string} at
 * @property {string} action
 * @property {string | null} actor
 * @property {string | null} target
 * @property {string | null} reason
 */

export {};
