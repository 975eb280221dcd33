// @ts-check
// The browser's side of the room protocol (docs/protocol.md): ordered room events, resilient statements, commands.

/**
 * @import { AckFrame, CommandFields, CommandOf, CommandResult, CommandType, ConnectionEventMap, ConnectionState,
 *   ErrorFrame, NoopFrame, RoomCommandType, RoomError, RoomEvent, ServerFrame } from "./types.js"
 */

/**
 * The part of a WebSocket this code uses (tests pass a fake).
 * @typedef {object} SocketLike
 * @property {number} readyState
 * @property {(data: string) => void} send
 * @property {(code?: number, reason?: string) => void} close
 * @property {((event: Event) => void) | null} onopen
 * @property {((event: MessageEvent) => void) | null} onmessage
 * @property {((event: CloseEvent) => void) | null} onclose
 * @property {((event: Event) => void) | null} onerror
 */
/** @typedef {new (url: string) => SocketLike} SocketClass */
/**
 * @typedef {object} Timers
 * @property {(fn: () => void, ms: number) => number} setTimeout
 * @property {(id: number | undefined) => void} clearTimeout
 */
/**
 * A statement not yet acknowledged.
 * @typedef {object} OutboxEntry
 * @property {string} clientId
 * @property {string} text
 * @property {number | null} replyTo
 * @property {boolean} sent
 * @property {number | null} retry its resend timer, while it must wait
 */
/**
 * A command not yet answered.
 * @typedef {object} PendingCommand
 * @property {CommandOf<CommandType>} frame what was sent, to send again (same ref) after try_again
 * @property {(result: unknown) => void} resolve
 * @property {(error: RoomError) => void} reject
 * @property {number} tries sends so far
 * @property {number | undefined} timer its resend timer, while it must wait
 */
/** @typedef {RoomEvent | NoopFrame} SequencedFrame a frame with a `seq`: applied in order, once */
/**
 * @typedef {object} ConnectionOptions
 * @property {string} url the room's WebSocket URL, without `after`
 * @property {number} maxStatementChars the longest statement, in characters (code points): the page's room data
 * @property {SocketClass} [WebSocketImpl]
 * @property {() => number} [random] in [0, 1): the reconnect jitter
 * @property {Timers} [timers]
 * @property {() => number} [now] ms, on the clock of `timers` (the reconnect countdown, retry_after)
 * @property {() => string} [newId] client ids and refs
 * @property {number} [pingEvery] ms
 */

const RETRYABLE = new Set(["rate_limited", "try_again", "slow_mode"]);

// The server's close codes (app/live/protocol.py, docs/protocol.md "Close codes").
export const CLOSE = Object.freeze({
  POLICY: 1008, // a client bug (binary frames, floods of invalid ones): reconnecting cannot help
  SERVER_ERROR: 1011, // the server failed: back off
  RESTART: 1012, // the server is restarting: come back soon, to any instance
  TRY_AGAIN: 1013, // the server cannot serve us now (database or broker away): back off
  TOO_SLOW: 4008, // we did not read fast enough: reconnect at once and catch up
  LOGIN_ENDED: 4401, // the login this connection relied on ended: log in again
  SEAT_ENDED: 4403, // this seat's place in the room changed (removed, banned, sent to the lobby)
  RESET: 4409, // our position is ahead of the room (a restore): start again from nothing
  MOVED: 4410, // a breakout group's room: this seat was moved out of the group (the main room's breakout_changed says where to)
  ELSEWHERE: 4429, // the room was opened in another tab or device: this one gives way
});
/**
 * Closes after which nothing reconnects by itself (start() again may, e.g. "use it here" after 4429).
 * @type {ReadonlySet<number>}
 */
export const FINAL_CLOSE = new Set([CLOSE.POLICY, CLOSE.LOGIN_ENDED, CLOSE.SEAT_ENDED, CLOSE.ELSEWHERE]);
// Reconnecting: exponential backoff (BASE · 2^attempt, at most CAP), each delay drawn at random in
// the upper two thirds of that window. Never under a third of it, so that no run of small random
// numbers can make a loop: a server that accepts and closes at once sees ~10 connections a minute.
const BACKOFF_BASE = 500;
const BACKOFF_CAP = 30000;
const JITTER_FLOOR = 1 / 3;
const STABLE_AFTER = 10000; // the backoff starts afresh only after a connection was welcomed and stayed this long
const RESTART_SPREAD = 2000; // 1012: back soon, but not every phone in the room in the same instant
const TROUBLE_ATTEMPT = 2; // 1011 and 1013: the server is in trouble, the window starts at BASE · 2² = 2 s
const COMMAND_TRIES = 3; // a command answered try_again is sent at most this often in all

/** @returns {string} */
function randomId() {
  // crypto.randomUUID needs a secure context and a recent browser; getRandomValues is everywhere.
  if (typeof globalThis.crypto?.randomUUID === "function") return crypto.randomUUID().replaceAll("-", "");
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// The server's retry_after (seconds; 1 when it named none) in ms.
/** @param {number | null | undefined} seconds */
function retryDelay(seconds) {
  return Math.max(0, Number.isFinite(seconds) ? Number(seconds) : 1) * 1000;
}

/**
 * @param {string} code
 * @param {string | null} [message]
 * @param {number | null} [retryAfter]
 * @returns {RoomError}
 */
function roomError(code, message, retryAfter) {
  /** @type {RoomError} */
  const error = Object.assign(new Error(message ?? code), { code });
  if (retryAfter != null) error.retryAfter = retryAfter;
  return error;
}

// Events (CustomEvent, `detail`): state (the new state), welcome (frame), event (room event frame,
// in seq order, once), reset (null: drop local events), ack (frame), statement-error ({clientId,
// code, message}), closed ({code, reason}, every close), ended ({code, reason}: a FINAL_CLOSE),
// reconnecting ({delay, code}: a reconnect is waiting), protocol-error (an error frame naming
// neither client_id nor ref). Their details' types are ConnectionEventMap's (types.js); on() is
// addEventListener with them.
export class RoomConnection extends EventTarget {
  #url; #WebSocket; #random; #timers; #now; #newId; #pingEvery; #maxStatementChars;
  /** @type {SocketLike | null} */
  #ws = null;
  /** @type {ConnectionState} */
  #state = "ended"; // before start() and after stop() nothing will reconnect
  #running = false;
  #attempt = 0; // reconnects since the last connection that held (STABLE_AFTER)
  /** @type {number | undefined} */
  #reconnectTimer = undefined;
  /** @type {number | null} */
  #reconnectAt = null; // when #reconnectTimer fires, on #now's clock
  /** @type {number | undefined} */
  #stableTimer = undefined;
  #notBefore = 0; // the server's retry_after (try_again): no reconnect before then
  #lost = false; // a connection was lost and no new one welcomed yet
  /** @type {import("./types.js").CloseInfo | null} */
  #ended = null; // the final close, until start() again
  /** @type {number | undefined} */
  #pingTimer = undefined;
  #heard = false; // a frame arrived since the last ping
  #lastSeq = 0;
  /** @type {Map<number, SequencedFrame>} */
  #held = new Map(); // seq -> event that arrived ahead of a gap
  #fetchedTo = 0; // every seq up to here is held or asked for: each gap is fetched once
  /** @type {OutboxEntry[]} */
  #outbox = []; // statements not yet acknowledged, in order
  /** @type {Map<string, PendingCommand>} */
  #commands = new Map(); // ref -> what was sent and its promise's settlers

  /** @param {ConnectionOptions} options */
  constructor({
    url,
    maxStatementChars,
    WebSocketImpl = globalThis.WebSocket,
    random = Math.random,
    timers = { setTimeout: globalThis.setTimeout.bind(globalThis), clearTimeout: globalThis.clearTimeout.bind(globalThis) },
    now = () => Date.now(),
    newId = randomId,
    pingEvery = 20000,
  }) {
    super();
    // No default: the server's limit is the only one, and a missing value must not silently differ from it.
    if (!Number.isInteger(maxStatementChars) || maxStatementChars < 1) {
      throw new TypeError(`RoomConnection needs maxStatementChars, a positive whole number (the page's max_statement_chars); got ${maxStatementChars}.`);
    }
    this.#maxStatementChars = maxStatementChars;
    this.#url = url;
    this.#WebSocket = WebSocketImpl;
    this.#random = random;
    this.#timers = timers;
    this.#now = now;
    this.#newId = newId;
    this.#pingEvery = pingEvery;
  }

  /**
   * addEventListener for this connection's events, with their `detail` typed.
   * @template {keyof ConnectionEventMap} K
   * @param {K} type
   * @param {(detail: ConnectionEventMap[K]) => void} listener
   */
  on(type, listener) {
    // Every event this class dispatches is a CustomEvent with that detail (#emit).
    this.addEventListener(type, (event) => listener(/** @type {CustomEvent<ConnectionEventMap[K]>} */ (event).detail));
  }

  get maxStatementChars() { return this.#maxStatementChars; }
  get state() { return this.#state; }
  get lastSeq() { return this.#lastSeq; }
  get pending() { return this.#outbox.map(({ clientId, text, replyTo }) => ({ clientId, text, replyTo })); }
  /** ms until the next reconnect, while one is waiting; else null. */
  get reconnectIn() { return this.#reconnectAt == null ? null : Math.max(0, this.#reconnectAt - this.#now()); }
  /** A connection was lost and none welcomed since (connecting or offline again, not for the first time). */
  get retrying() { return this.#lost; }
  /** The close that ended the connection for good (FINAL_CLOSE), until start() again. */
  get ended() { return this.#ended; }

  // Also after a final close: one new connection (e.g. 4429's "use it here", which closes the other tab's).
  start() {
    if (this.#running) return;
    this.#running = true;
    this.#ended = null;
    this.#connect();
  }

  stop() {
    if (!this.#running) return;
    this.#running = false;
    this.#cancelReconnect();
    for (const entry of this.#outbox) this.#unschedule(entry);
    if (this.#ws) this.#abandon(1000, "stopped");
    this.#setState("ended");
  }

  // "Try now": skip the rest of the backoff, though never the server's retry_after. True if it did anything.
  retryNow() {
    if (!this.#running || this.#reconnectTimer === undefined) return false;
    this.#cancelReconnect();
    const wait = this.#notBefore - this.#now();
    if (wait > 0) this.#reconnectAfter(wait, 0);
    else this.#connect();
    return true;
  }

  // Returns the client_id at once; the statement stays in `pending` until the server stored it.
  /**
   * @param {string} text
   * @param {{replyTo?: number | null}} [options]
   * @returns {string}
   */
  say(text, { replyTo = null } = {}) {
    const clientId = this.#newId();
    // The server refuses these without naming the client_id, so the outbox would keep them forever.
    const code = typeof text !== "string" || text.length === 0 ? "invalid_command"
      : [...text].length > this.#maxStatementChars ? "statement_too_long"
      : replyTo != null && !(Number.isInteger(replyTo) && replyTo >= 1) ? "invalid_command" : null;
    if (code) {
      queueMicrotask(() => this.#emit("statement-error", { clientId, code, message: "The statement cannot be sent." }));
      return clientId;
    }
    this.#outbox.push({ clientId, text, replyTo: replyTo ?? null, sent: false, retry: null });
    this.#flush();
    return clientId;
  }

  // Resolves with the ok's `result`; rejects with an Error carrying `code` (and `retryAfter`).
  // Not for statement, fetch or ping: the server answers those without an ok.
  /**
   * @template {RoomCommandType} T
   * @param {T} type
   * @param {CommandFields[T]} [fields]
   * @returns {Promise<CommandResult<T>>}
   */
  command(type, fields) {
    if (this.#state !== "open") return Promise.reject(roomError("offline", "Not connected."));
    const ref = this.#newId();
    return new Promise((resolve, reject) => {
      /** @type {CommandOf<CommandType>} */
      const frame = { ...(fields ?? {}), type, ref };
      // The result is what the server's handler for `type` returns (CommandResult names those read here).
      this.#commands.set(ref, {
        frame, resolve: (result) => resolve(/** @type {CommandResult<T>} */ (result)), reject, tries: 1, timer: undefined,
      });
      this.#send(frame);
    });
  }

  // The socket ------------------------------------------------------------------------

  #connect() {
    this.#reconnectTimer = undefined;
    this.#reconnectAt = null;
    // The server replays everything after `after`; what was held from the old socket comes again.
    this.#held.clear();
    this.#fetchedTo = 0;
    const ws = new this.#WebSocket(`${this.#url}${this.#url.includes("?") ? "&" : "?"}after=${this.#lastSeq}`);
    this.#ws = ws;
    this.#setState("connecting");
    // Each handler checks that its socket is still ours: one we let go may still report late.
    ws.onopen = () => { if (ws === this.#ws) this.#opened(); };
    ws.onmessage = (message) => { if (ws === this.#ws) this.#received(message.data); };
    ws.onclose = (event) => { if (ws === this.#ws) this.#closed(event.code, event.reason); };
    // A browser follows an error with a close; handling it now also covers sockets that do not.
    ws.onerror = () => { if (ws === this.#ws) this.#abandon(1006, "error"); };
  }

  #opened() {
    this.#setState("open");
    // Everything not acknowledged goes again, except what the server asked to wait: that waits on.
    for (const entry of this.#outbox) if (!entry.retry) entry.sent = false;
    this.#flush();
    this.#heard = true;
    this.#schedulePing();
  }

  // Close the socket ourselves and go on at once: on a dead network its close event may never come.
  // `code` is what listeners of "closed" are told (1006: the connection failed).
  /**
   * @param {number} code
   * @param {string} reason
   */
  #abandon(code, reason) {
    try { this.#ws?.close(1000, reason); } catch { /* already closing */ }
    this.#closed(code, reason);
  }

  /**
   * @param {number} code
   * @param {string} reason
   */
  #closed(code, reason) {
    this.#ws = null;
    this.#timers.clearTimeout(this.#pingTimer);
    this.#timers.clearTimeout(this.#stableTimer);
    this.#stableTimer = undefined;
    for (const pending of this.#commands.values()) {
      this.#timers.clearTimeout(pending.timer);
      pending.reject(roomError("offline", "The connection was lost."));
    }
    this.#commands.clear();
    const final = FINAL_CLOSE.has(code);
    if (final) {
      this.#running = false;
      this.#ended = { code, reason };
    }
    if (!this.#running) for (const entry of this.#outbox) this.#unschedule(entry);
    else {
      this.#lost = true;
      this.#reconnectAfter(this.#backoff(code), code); // before "state", so that its listeners see reconnectIn
    }
    this.#setState(this.#running ? "offline" : "ended");
    this.#emit("closed", { code, reason });
    if (code === CLOSE.RESET) this.#reset();
    if (final) this.#emit("ended", { code, reason });
  }

  // How long to wait after a close with `code`, and one more attempt counted.
  /** @param {number} code */
  #backoff(code) {
    if (code === CLOSE.SERVER_ERROR || code === CLOSE.TRY_AGAIN) this.#attempt = Math.max(this.#attempt, TROUBLE_ATTEMPT);
    const attempt = this.#attempt;
    this.#attempt += 1;
    if (code === CLOSE.TOO_SLOW && attempt === 0) return 0; // it was working: catch up at once, once
    let ceiling = Math.min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt);
    if (code === CLOSE.RESTART) ceiling = Math.max(ceiling, RESTART_SPREAD);
    // Jitter: after a server restart, every phone in the room must not come back at once.
    return ceiling * (JITTER_FLOOR + (1 - JITTER_FLOOR) * this.#random());
  }

  // Reconnect in `delay` ms, or when the server's retry_after ends if that is later.
  /**
   * @param {number} delay
   * @param {number} code the close's, for listeners
   */
  #reconnectAfter(delay, code) {
    const wait = Math.max(delay, this.#notBefore - this.#now());
    this.#reconnectAt = this.#now() + wait;
    this.#reconnectTimer = this.#timers.setTimeout(() => this.#connect(), wait);
    this.#emit("reconnecting", { delay: wait, code });
  }

  #cancelReconnect() {
    this.#timers.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#reconnectAt = null;
  }

  // The server asked us to wait (try_again's retry_after, in seconds): nothing is resent and no
  // reconnect happens before then.
  /** @param {number | null | undefined} seconds */
  #hold(seconds) {
    this.#notBefore = Math.max(this.#notBefore, this.#now() + retryDelay(seconds));
  }

  #schedulePing() {
    this.#pingTimer = this.#timers.setTimeout(() => {
      // Nothing at all since the last ping (not even its pong): a phone's connection can die
      // silently and look open for minutes. Counting on order, not time, survives throttled timers.
      if (!this.#heard) return this.#abandon(1000, "no answer");
      this.#heard = false;
      this.#send({ type: "ping" });
      this.#schedulePing();
    }, this.#pingEvery);
  }

  /** @param {CommandOf<CommandType>} frame */
  #send(frame) {
    // readyState too: between the server's close frame and our onclose the socket is
    // closing, and a send then is lost anyway (the outbox resends after reconnecting).
    if (this.#state === "open" && this.#ws?.readyState === 1) this.#ws.send(JSON.stringify(frame));
  }

  /** @param {ConnectionState} state */
  #setState(state) {
    if (state === this.#state) return;
    this.#state = state;
    this.#emit("state", state);
  }

  /**
   * @template {keyof ConnectionEventMap} K
   * @param {K} type
   * @param {ConnectionEventMap[K]} detail
   */
  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // Frames ----------------------------------------------------------------------------

  /** @param {unknown} data */
  #received(data) {
    this.#heard = true;
    let parsed;
    try { parsed = JSON.parse(String(data)); } catch { return; }
    if (parsed === null || typeof parsed !== "object") return;
    // What the server sends (protocol.py); a newer server's room event of a new type goes on as a
    // room event below, and the room state ignores what it does not know.
    const frame = /** @type {ServerFrame} */ (parsed);
    switch (frame.type) {
      case "welcome":
        // The server let us in; only if it keeps us does the next loss start the backoff afresh
        // (a server that welcomes and then fails at once must not make a loop).
        this.#lost = false;
        this.#timers.clearTimeout(this.#stableTimer);
        this.#stableTimer = this.#timers.setTimeout(() => { this.#attempt = 0; this.#stableTimer = undefined; }, STABLE_AFTER);
        return this.#emit("welcome", frame);
      case "ack": return this.#acked(frame);
      case "ok": return this.#settle(frame.ref)?.resolve(frame.result);
      case "error": return this.#error(frame);
      case "range_unavailable":
        this.#reset();
        return this.#abandon(1000, "reset");
      case "pong": return;
    }
    if (Number.isInteger(frame.seq)) this.#event(frame); // a room event, maybe of a type newer than this code
  }

  /** @param {SequencedFrame} frame */
  #event(frame) {
    const seq = frame.seq;
    if (seq <= this.#lastSeq || this.#held.has(seq)) return;
    if (seq > this.#lastSeq + 1) {
      this.#held.set(seq, frame);
      const from = Math.max(this.#lastSeq, this.#fetchedTo) + 1;
      if (from < seq) this.#send({ type: "fetch", from_seq: from, to_seq: seq - 1 });
      this.#fetchedTo = Math.max(this.#fetchedTo, seq);
      return;
    }
    this.#apply(frame);
    for (let next; (next = this.#held.get(this.#lastSeq + 1));) {
      this.#held.delete(next.seq);
      this.#apply(next);
    }
  }

  /** @param {SequencedFrame} frame */
  #apply(frame) {
    this.#lastSeq = frame.seq;
    if (frame.type !== "noop") this.#emit("event", frame); // a noop only keeps the numbers without gaps
  }

  #reset() {
    this.#lastSeq = 0;
    this.#held.clear();
    this.#fetchedTo = 0;
    this.#emit("reset", null);
  }

  /** @param {string | null | undefined} ref */
  #settle(ref) {
    if (ref == null) return undefined;
    const pending = this.#commands.get(ref);
    if (pending) this.#commands.delete(ref);
    return pending;
  }

  /** @param {ErrorFrame} frame */
  #error(frame) {
    if (frame.code === "try_again") this.#hold(frame.retry_after);
    if (frame.client_id != null) return this.#statementError(frame);
    if (frame.ref != null) return this.#commandError(frame.ref, frame);
    this.#emit("protocol-error", frame);
  }

  // try_again: nothing was done; the same frame (same ref) goes again after retry_after, a few times.
  /**
   * @param {string} ref
   * @param {ErrorFrame} frame
   */
  #commandError(ref, frame) {
    const pending = this.#commands.get(ref);
    if (!pending || pending.timer !== undefined) return;
    if (frame.code === "try_again" && pending.tries < COMMAND_TRIES) {
      pending.tries += 1;
      pending.timer = this.#timers.setTimeout(() => {
        pending.timer = undefined;
        if (this.#commands.get(ref) === pending) this.#send(pending.frame);
      }, retryDelay(frame.retry_after));
      return;
    }
    this.#settle(ref)?.reject(roomError(frame.code, frame.message, frame.retry_after));
  }

  // The outbox ------------------------------------------------------------------------

  #flush() {
    if (this.#state !== "open") return;
    for (const entry of this.#outbox) {
      if (entry.retry) break; // later statements wait behind one that must wait, to keep their order
      if (entry.sent) continue;
      entry.sent = true;
      /** @type {CommandOf<"statement">} */
      const frame = { type: "statement", client_id: entry.clientId, text: entry.text };
      if (entry.replyTo != null) frame.reply_to = entry.replyTo;
      this.#send(frame);
    }
  }

  /** @param {string} clientId */
  #take(clientId) {
    const index = this.#outbox.findIndex((entry) => entry.clientId === clientId);
    if (index < 0) return null;
    const [entry] = this.#outbox.splice(index, 1);
    this.#unschedule(entry);
    return entry;
  }

  /** @param {AckFrame} frame */
  #acked(frame) {
    // Only the first ack counts: a resend is answered with the same ack again.
    if (this.#take(frame.client_id)) this.#emit("ack", frame);
  }

  /** @param {ErrorFrame} frame */
  #statementError(frame) {
    const entry = this.#outbox.find((e) => e.clientId === frame.client_id);
    if (!entry) return;
    if (RETRYABLE.has(frame.code)) {
      this.#unschedule(entry);
      entry.sent = false;
      entry.retry = this.#timers.setTimeout(() => { entry.retry = null; this.#flush(); }, retryDelay(frame.retry_after));
      return;
    }
    this.#take(entry.clientId);
    this.#emit("statement-error", { clientId: entry.clientId, code: frame.code, message: frame.message });
    this.#flush(); // statements that waited behind it may go now
  }

  /** @param {OutboxEntry} entry */
  #unschedule(entry) {
    if (entry.retry) this.#timers.clearTimeout(entry.retry);
    entry.retry = null;
  }
}
