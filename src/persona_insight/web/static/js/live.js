// The project's event stream, kept consistent with a snapshot (docs/events.md):
// take a snapshot (it says which event it is current at), open the stream from that id, apply
// every later event once. The browser's EventSource reconnects by itself and resumes with
// Last-Event-ID, so a dropped connection loses nothing; only `sync:reset` (the server cannot
// replay from our id) makes us take a new snapshot — never a page reload.

export class ProjectStream {
  /**
   * @param {string} projectId
   * @param {{snapshot: () => Promise<number>, event: (msg) => void,
   *          presence?: (data) => void, state?: (name) => void, reset?: () => void,
   *          dropped?: () => void}} handlers
   *   `snapshot` loads current state and answers the `last_seq` it is current at; `dropped` is
   *   told each time the connection is lost (the stream reconnects by itself).
   */
  constructor(projectId, handlers) {
    this.projectId = projectId;
    this.handlers = handlers;
    this.lastSeq = 0;
    this.source = null;
    this.syncing = null;
    this.pending = [];
    window.addEventListener("online", () => this.revive());
    window.addEventListener("offline", () => this.suspend());
  }

  async start() {
    await this.resync();
    this.open();
  }

  open() {
    this.setState("connecting");
    const url = `/api/sse/projects/${this.projectId}?last_event_id=${this.lastSeq}`;
    const source = new EventSource(url);
    source.onopen = () => this.setState("live");
    source.onerror = () => {
      this.handlers.dropped?.();
      if (source.readyState === EventSource.CLOSED) {
        // The server refused us for good (signed out, removed from the project): stop here.
        this.setState("offline");
      } else {
        this.setState(navigator.onLine ? "reconnecting" : "offline");
      }
    };
    source.onmessage = (event) => this.receive(event);
    this.source = source;
  }

  /**
   * The network went away. A connection that outlives a network change may be dead without
   * knowing it (a new Wi-Fi, a NAT that forgot us) and would only notice minutes later, so close
   * it and start afresh from the last event id when the network is back.
   */
  suspend() {
    this.source?.close();
    this.setState("offline");
  }

  /** Back online: reconnect now instead of waiting for the browser's retry timer. */
  revive() {
    if (this.source && this.source.readyState === EventSource.OPEN) return;
    this.source?.close();
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
