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
 * What the pacer knows: the times the last requests (a window's worth at most) count from, and
 * when a block ends. Pacing keeps requests to at most `requests` in any span of `windowMs`
 * (+ margin), each request placed at its answer (`settleSend`): a request sent a window after an
 * earlier one's answer arrives a window after Clerk counted that one, whatever the network's
 * delays. That is never over a fixed-window limit wherever its windows start, nor over a token
 * bucket of the same rate and burst. Every function below is pure: it takes the pacing and the
 * time, and returns a delay or the next pacing.
 * ```ts
 * let pacing = startPacing(CLERK_RATE_LIMITS.development);
 * await sleep(delayBefore(pacing, Date.now()));
 * const sent = Date.now();
 * pacing = recordSend(pacing, sent);
 * const answer = await fetch(url);
 * pacing = settleSend(pacing, sent, Date.now());
 * ```
 */
export type Pacing = {
  readonly limit: RateLimit | null;
  /** Times the last requests count from, ascending: at most `limit.requests` of them. */
  readonly sent: readonly number[];
  /** Nothing is sent before this (a `Retry-After`, or rate-limit headers saying none remain). */
  readonly blockedUntil: number;
};

/** Pacing to `limit` (null: no limit, only blocks), given when earlier requests still in the window were sent. */
export function startPacing(limit: RateLimit | null, sentAt: readonly number[] = []): Pacing {
  if (limit && (!Number.isInteger(limit.requests) || limit.requests < 1 || !(limit.windowMs > 0))) {
    throw new RangeError(`rateLimit must allow at least 1 request per window of more than 0 ms, got ${JSON.stringify(limit)}`);
  }
  return { limit, sent: limit ? [...sentAt].sort((a, b) => a - b).slice(-limit.requests) : [], blockedUntil: 0 };
}

/** How long to wait, from `now`, before the next request may be sent. */
export function delayBefore({ limit, sent, blockedUntil }: Pacing, now: number): number {
  let at = blockedUntil;
  if (limit && sent.length >= limit.requests) at = Math.max(at, sent[sent.length - limit.requests]! + limit.windowMs + pacingMarginMs(limit));
  return Math.max(0, at - now);
}

/** A request sent at `at`; `settleSend` places it at its answer. */
export function recordSend(pacing: Pacing, at: number): Pacing {
  if (!pacing.limit) return pacing;
  return { ...pacing, sent: [...pacing.sent, at].slice(-pacing.limit.requests) };
}

/** The request recorded at `sentAt` was answered at `answeredAt`: it counts from then. */
export function settleSend(pacing: Pacing, sentAt: number, answeredAt: number): Pacing {
  const i = pacing.sent.lastIndexOf(sentAt);
  if (!pacing.limit || i < 0) return pacing;
  const sent = pacing.sent.map((at, j) => (j === i ? Math.max(answeredAt, sentAt) : at)).sort((a, b) => a - b);
  return { ...pacing, sent };
}

/** Sends nothing before `at`. */
export function blockUntil(pacing: Pacing, at: number): Pacing {
  return at > pacing.blockedUntil ? { ...pacing, blockedUntil: at } : pacing;
}

/** The send times that still count against the window at `now`: a continuing client's `sentAt`. */
export function recentSends({ limit, sent }: Pacing, now: number): number[] {
  if (!limit) return [];
  const windowMs = limit.windowMs + pacingMarginMs(limit);
  return sent.filter((at) => at > now - windowMs);
}
