/**
 * The pacer: keeps a client's requests under a rate limit, as pure bookkeeping. The caller reads
 * the clock and waits; nothing here sleeps, fetches or touches Convex (test/pacer.test.ts).
 */

/**
 * Requests allowed per window. Clerk documents its Backend API limit per instance (per secret
 * key) as a fixed window: "100 requests per 10 seconds" for development instances, 1,000 for
 * production; past it every request is refused with `429` and `Retry-After` until the window ends.
 */
export type RateLimit = { requests: number; windowMs: number };

/** Clerk's documented Backend API limits (clerk.com/docs, "Rate limits"). */
export const CLERK_RATE_LIMITS = {
  development: { requests: 100, windowMs: 10_000 },
  production: { requests: 1_000, windowMs: 10_000 },
} as const satisfies Record<string, RateLimit>;

/**
 * Added to each window the pacer keeps, for timers that fire a little early. Network delays
 * need none: windows are measured from the answer to a request, which comes after Clerk counted it.
 */
export const PACING_MARGIN_MS = 50;

/** The margin the pacer adds to `limit`'s window: `PACING_MARGIN_MS`, at most a tenth of the window. */
export function pacingMarginMs(limit: RateLimit) {
  return Math.min(PACING_MARGIN_MS, limit.windowMs / 10);
}

/**
 * Send times to seed a pacer with when `count` requests were made by an earlier client that
 * stopped at `at` (e.g. the previous resync run), and only that is known: the last of them, up to
 * a window's worth, are taken as sent at `at`. Empty once that window has passed.
 */
export function assumeSentAt(at: number, count: number, limit: RateLimit | null, now: number): number[] {
  if (!limit || now - at >= limit.windowMs + pacingMarginMs(limit)) return [];
  return new Array<number>(Math.min(Math.max(0, count), limit.requests)).fill(at);
}

/**
 * Keeps requests to at most `requests` in any span of `windowMs` (+ margin), each request placed
 * at its answer (`settle`): a request sent a window after an earlier one's answer arrives a window
 * after Clerk counted that one, whatever the network's delays. That is never over a fixed-window
 * limit wherever its windows start, nor over a token bucket of the same rate and burst. Pure
 * bookkeeping: the caller reads the clock and waits.
 */
export class Pacer {
  private sent: number[];
  private blockedUntil = 0;

  constructor(
    private readonly limit: RateLimit | null,
    sentAt: readonly number[] = [],
  ) {
    if (limit && (!Number.isInteger(limit.requests) || limit.requests < 1 || !(limit.windowMs > 0))) {
      throw new RangeError(`rateLimit must allow at least 1 request per window of more than 0 ms, got ${JSON.stringify(limit)}`);
    }
    this.sent = limit ? [...sentAt].sort((a, b) => a - b).slice(-limit.requests) : [];
  }

  /** How long to wait, from `now`, before the next request may be sent. */
  delayBefore(now: number): number {
    let at = this.blockedUntil;
    if (this.limit && this.sent.length >= this.limit.requests) {
      at = Math.max(at, this.sent[this.sent.length - this.limit.requests]! + this.limit.windowMs + pacingMarginMs(this.limit));
    }
    return Math.max(0, at - now);
  }

  /** A request sent at `now`; returns its place, to `settle` when the answer comes. */
  record(now: number): number {
    if (!this.limit) return now;
    this.sent.push(now);
    if (this.sent.length > this.limit.requests) this.sent.splice(0, this.sent.length - this.limit.requests);
    return now;
  }

  /** The request recorded at `sentAt` was answered at `now`: it counts from then. */
  settle(sentAt: number, now: number) {
    if (!this.limit) return;
    const i = this.sent.lastIndexOf(sentAt);
    if (i < 0) return;
    this.sent[i] = Math.max(now, sentAt);
    this.sent.sort((a, b) => a - b);
  }

  /** Sends nothing before `at` (a `Retry-After`, or rate-limit headers saying none remain). */
  blockUntil(at: number) {
    this.blockedUntil = Math.max(this.blockedUntil, at);
  }

  /** The send times that still count against the window at `now`. */
  recent(now: number): number[] {
    if (!this.limit) return [];
    const window = this.limit.windowMs + pacingMarginMs(this.limit);
    return this.sent.filter((at) => at > now - window);
  }
}
