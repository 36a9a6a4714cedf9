// The project's event stream, kept consistent with a snapshot (docs/events.md):
// take a snapshot (it says which event it is current at), open the stream from that id, apply
// every later event once. The browser's EventSource reconnects by itself after a network error
// and resumes with Last-Event-ID, so a dropped connection loses nothing; only `sync:reset` (the
// server cannot replay from our id) makes us take a new snapshot — never a page reload.
//
// EventSource gives up for good on any answer other than 200 — a restarting server's 503, a
// proxy's 502 during a deploy — so after such a close we ask the stream URL itself why: 401, 403
// and 404 are final (signed out, removed from the project), anything else is weather and we
// reopen after a capped, jittered back-off (jitter so a restart's clients do not return at once).

import { latency } from "./latency.js";

const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 30_000;
const FINAL = { 401: "signed_out", 403: "removed", 404: "removed" };

/** The wait before reopening after `failures` refused attempts in a row. */
export function backoff(failures, random = Math.random) {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(failures, 10));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class ProjectStream {
  /**
   * @param {string} projectId
   * @param {{snapshot: () => Promise<number>, event: (msg) => void,
   *          presence?: (data) => void, state?: (name) => void, reset?: () => void,
   *          dropped?: () => void, stopped?: (reason) => void}} handlers
   *   `snapshot` loads current state and answers the `last_seq` it is current at; `dropped` is
   *   told each time the connection is lost (the stream reconnects by itself); `stopped` is told
   *   once when the server refuses us for good ("signed_out" or "removed") and nothing reopens.
   */
  constructor(projectId, handlers) {
    this.projectId = projectId;
    this.handlers = handlers;
    this.lastSeq = 0;
    this.source = null;
    this.syncing = null;
    this.pending = [];
    this.failures = 0;
    this.retryTimer = null;
    this.stoppedFor = null;
    // Lost after being asked for: every further attempt is a reconnection, so the label does
    // not flicker back to the first visit's "connecting" on each retry.
    this.lost = false;
    window.addEventListener("online", () => this.revive());
    window.addEventListener("offline", () => this.suspend());
  }

  async start() {
    await this.resync();
    this.open();
  }

  get url() {
    return `/api/sse/projects/${this.projectId}?last_event_id=${this.lastSeq}`;
  }

  open() {
    if (this.stoppedFor) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.setState(this.lost ? "reconnecting" : "connecting");
    const source = new EventSource(this.url);
    source.onopen = () => {
      this.failures = 0;
      this.lost = false;
      this.setState("live");
    };
    source.onerror = () => {
      if (source !== this.source) return;
      this.lost = true;
      this.handlers.dropped?.();
      if (source.readyState === EventSource.CLOSED) {
        this.source = null;
        this.setState(navigator.onLine ? "reconnecting" : "offline");
        this.diagnose();
      } else {
        this.setState(navigator.onLine ? "reconnecting" : "offline");
      }
    };
    source.onmessage = (event) => this.receive(event);
    this.source = source;
  }

  /**
   * The server closed the stream with an answer EventSource will not retry. Ask the same URL
   * with a plain request (its body is not read: a 200 is cut at once) and either stop with the
   * reason or reopen later.
   */
  async diagnose() {
    if (this.stoppedFor || this.retryTimer) return;
    const probe = new AbortController();
    let status = 0;
    try {
      const response = await fetch(this.url, {
        credentials: "same-origin",
        headers: { Accept: "text/event-stream" },
        cache: "no-store",
        signal: probe.signal,
      });
      status = response.status;
    } catch {
      status = 0; // no answer at all: the network or a server still starting
    } finally {
      probe.abort();
    }
    const reason = FINAL[status];
    if (reason) {
      this.stop(reason);
      return;
    }
    const wait = status === 200 ? 0 : backoff(this.failures);
    this.failures += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (navigator.onLine) this.open();
    }, wait);
  }

  /** Refused for good: close, say so once, and never reopen (not even when back online). */
  stop(reason) {
    this.stoppedFor = reason;
    this.source?.close();
    this.source = null;
    clearTimeout(this.retryTimer);
    this.setState(reason);
    this.handlers.stopped?.(reason);
  }

  /**
   * The network went away. A connection that outlives a network change may be dead without
   * knowing it (a new Wi-Fi, a NAT that forgot us) and would only notice minutes later, so close
   * it and start afresh from the last event id when the network is back.
   */
  suspend() {
    if (this.stoppedFor) return;
    this.source?.close();
    this.source = null;
    this.lost = true;
    this.setState("offline");
  }

  /** Back online: reconnect now instead of waiting for the browser's retry timer. */
  revive() {
    if (this.stoppedFor) return;
    if (this.source && this.source.readyState === EventSource.OPEN) return;
    this.source?.close();
    this.failures = 0;
    this.open();
  }

  receive(event) {
    let msg;
    try {
      msg = JSON.parse(event.data);
    } catch {
      return;
    }
    if (msg.type === "presence:changed") {
      this.handlers.presence?.(msg.data);
      return;
    }
    if (msg.type === "sync:reset") {
      this.lastSeq = Math.max(this.lastSeq, msg.seq || 0);
      this.resync().then(() => this.handlers.reset?.());
      return;
    }
    if (this.syncing) {
      this.pending.push(msg);
      return;
    }
    this.apply(msg);
  }

  apply(msg) {
    if (typeof msg.seq !== "number" || msg.seq <= this.lastSeq) return; // already reflected
    this.lastSeq = msg.seq;
    this.handlers.event(msg);
    latency.observe(msg.ts);
  }

  /** Take a snapshot; events that arrive meanwhile wait and are applied if they are newer. */
  async resync() {
    if (this.syncing) return this.syncing;
    this.pending = [];
    this.syncing = (async () => {
      try {
        for (let attempt = 0; ; attempt += 1) {
          try {
            this.lastSeq = await this.handlers.snapshot();
            break;
          } catch (error) {
            if (attempt >= 4) throw error;
            await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
          }
        }
        const waiting = this.pending;
        this.pending = [];
        this.syncing = null;
        for (const msg of waiting) this.apply(msg);
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  setState(name) {
    this.handlers.state?.(name);
  }
}
