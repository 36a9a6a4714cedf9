// Client-observed delivery latency (docs/operations.md): for a sample of events, the time from
// the event's `ts` (the server's clock) to its receipt here (ours), posted to the server in
// small batches. Our clock may be seconds off the server's, so its offset is estimated first
// from one round trip to GET /api/realtime/ping, NTP-style: server_ts − (t0 + t1) / 2.

import { api } from "./ui.js";

const SAMPLE_EVERY = 10; // one event in ten (the first one too, so a quiet page still reports)
const POST_EVERY_MS = 10_000; // at most one report per ten seconds from a page
const MAX_BATCH = 20; // the server's limit per report
const OFFSET_FOR_MS = 5 * 60_000; // clocks drift: re-estimate the offset after five minutes

class LatencyReporter {
  constructor() {
    this.seen = 0;
    this.batch = [];
    this.offsetMs = null;
    this.offsetAt = 0;
    this.offsetPending = null;
    this.lastPost = -Infinity;
    this.timer = null;
    this.stopped = false;
  }

  /** An event arrived now; `ts` is its server time (ISO 8601). */
  observe(ts) {
    if (this.stopped) return;
    const receivedAt = Date.now();
    const sent = Date.parse(ts);
    if (Number.isNaN(sent) || this.seen++ % SAMPLE_EVERY !== 0) return;
    this.withOffset().then((offset) => {
      const value = Math.round(receivedAt + offset - sent);
      // Outside the server's bounds it is not a delivery (a replay of old events, a broken
      // clock estimate): one such value would get the whole batch refused.
      if (offset === null || this.batch.length >= MAX_BATCH || value < -5000 || value > 600_000) {
        return;
      }
      this.batch.push(value);
      this.schedule();
    });
  }

  async withOffset() {
    if (this.offsetMs !== null && Date.now() - this.offsetAt < OFFSET_FOR_MS) {
      return this.offsetMs;
    }
    this.offsetPending ??= (async () => {
      try {
        const t0 = Date.now();
        const { data } = await api("GET", "/api/realtime/ping");
        const t1 = Date.now();
        this.offsetMs = data.server_ts * 1000 - (t0 + t1) / 2;
        this.offsetAt = t1;
      } catch {
        // Without an offset the samples would measure the clocks, not the delivery: skip them.
      } finally {
        this.offsetPending = null;
      }
      return this.offsetMs;
    })();
    return this.offsetPending;
  }

  schedule() {
    if (this.timer) return;
    const wait = Math.max(0, this.lastPost + POST_EVERY_MS - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  async flush() {
    this.timer = null;
    const samples = this.batch.splice(0, MAX_BATCH);
    if (!samples.length) return;
    this.lastPost = Date.now();
    try {
      await api("POST", "/api/realtime/latency", { samples_ms: samples });
    } catch (error) {
      // Refused as a whole (signed out, too many reports): monitoring is not worth retrying.
      if (error.status === 401 || error.status === 403) this.stopped = true;
    }
  }
}

/** One reporter per page, shared by its streams (the rate limit is per user). */
export const latency = new LatencyReporter();
