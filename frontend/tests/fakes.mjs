// Test doubles: a WebSocket the test drives by hand and a clock that moves only when told (no sleeping).

export class FakeClock {
  now = 0;
  #timers = new Map(); // id -> {at, fn}
  #nextId = 1;

  setTimeout = (fn, ms = 0) => {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.now + Math.max(0, ms), fn });
    return id;
  };

  clearTimeout = (id) => { this.#timers.delete(id); };

  get pending() { return this.#timers.size; }

  // Delays of the timers now waiting, soonest first.
  delays() { return [...this.#timers.values()].map((t) => t.at - this.now).sort((a, b) => a - b); }

  // Runs every timer due within `ms`, in time order, including ones set while advancing.
  advance(ms) {
    const end = this.now + ms;
    for (;;) {
      let due = null;
      for (const [id, t] of this.#timers) if (t.at <= end && (!due || t.at < due[1].at)) due = [id, t];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = end;
  }
}

// Each test gets its own class, so that `sockets` lists only that test's connections.
export function fakeWebSocketClass() {
  return class FakeWebSocket {
    static sockets = [];
    static get last() { return FakeWebSocket.sockets.at(-1); }

    readyState = 0;
    sent = [];
    closedByClient = null;
    onopen = null;
    onmessage = null;
    onclose = null;
    onerror = null;

    constructor(url) {
      this.url = url;
      FakeWebSocket.sockets.push(this);
    }

    get after() { return Number(new URL(this.url).searchParams.get("after")); }
    frames(type) { return this.sent.map((s) => JSON.parse(s)).filter((f) => !type || f.type === type); }

    send(data) {
      if (this.readyState !== 1) throw new Error(`send on a socket in state ${this.readyState}`);
      this.sent.push(data);
    }

    close(code, reason) {
      this.closedByClient = { code, reason };
      this.readyState = 2;
    }

    // The test plays the server and the network:
    open() { this.readyState = 1; this.onopen?.({}); }
    deliver(frame) { this.onmessage?.({ data: typeof frame === "string" ? frame : JSON.stringify(frame) }); }
    serverClose(code, reason = "") { this.readyState = 3; this.onclose?.({ code, reason }); }
    fail() { this.readyState = 3; this.onerror?.({}); this.onclose?.({ code: 1006, reason: "" }); }
  };
}

// Records every event a target dispatches, as [type, detail].
export function recorder(target, types) {
  const seen = [];
  for (const type of types) target.addEventListener(type, (event) => seen.push([type, event.detail]));
  seen.of = (type) => seen.filter(([t]) => t === type).map(([, d]) => d);
  return seen;
}
