import { CLERK_MAX_PAGE_SIZE } from "../../shared/paging.js";
import type { ResyncErrorCode } from "../../shared/resync.js";
import { DEFAULT_RETRY_POLICY, decideRetry, type AttemptCounts, type AttemptResult, type RetryPolicy } from "../../shared/retry.js";
import { CLERK_RATE_LIMITS, blockUntil, delayBefore, recentSends, recordSend, settleSend, startPacing, type Pacing, type RateLimit } from "./pacer.js";

/** One request that takes longer than this is abandoned and retried. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Time, for the pacer and the retries: the real clock by default, a virtual one in tests. */
export type Clock = { now(): number; sleep(ms: number, signal: AbortSignal): Promise<void> };

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(new ClerkApiAborted());
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new ClerkApiAborted());
      };
      signal.addEventListener("abort", onAbort, { once: true });
    }),
};

export type ClerkApiOptions = {
  /** Clerk's Backend API, e.g. `https://api.clerk.com` (a trailing slash is ignored). */
  apiUrl: string;
  /** `sk_...`: sent as a Bearer token, never put in a message. */
  secretKey: string;
  retry?: Partial<RetryPolicy>;
  /** The limit to pace requests to, or `null` to send as fast as answers come. Default: Clerk's development limit. */
  rateLimit?: RateLimit | null;
  timeoutMs?: number;
  /**
   * Epoch ms. A wait (pacing, `Retry-After`, backoff) that would end past it is not waited:
   * the call returns `{ postponeMs }` instead, so the caller can hand over to a later step.
   */
  deadline?: number;
  /** Send times of earlier requests still inside the window (from `recentSends()` of a previous client). */
  sentAt?: readonly number[];
  clock?: Clock;
  fetch?: typeof fetch;
};

/** A wait longer than the caller's deadline allows: try again after `postponeMs`. */
export type Postponed = { postponeMs: number };

export function isPostponed(value: unknown): value is Postponed {
  return typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as Postponed).postponeMs === "number";
}

/** A request that cannot succeed by retrying: `code` says why (a `ResyncErrorCode`). */
export class ClerkApiError extends Error {
  constructor(
    readonly code: ResyncErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The client was stopped (`abort()`) while a request or a wait was in flight. */
export class ClerkApiAborted extends Error {
  constructor() {
    super("Clerk API client stopped");
  }
}

/**
 * `notFound: "empty"`: a 404 answers an empty list, for lists under an object that may be gone.
 * `single`: the answer is one object, not a list (`GET /v1/users/{id}/billing/subscription`): it is
 * the list's one item.
 */
export type GetOptions = { notFound?: "empty"; single?: boolean };

export type Params = Record<string, string | number | readonly (string | number)[] | undefined>;

/**
 * Clerk's Backend API, as the resync uses it: list one page of a resource, get some by id.
 * Every request is paced to the rate limit (so a run under it draws no `429`), retried per
 * `RetryPolicy` (`Retry-After` and rate-limit headers honoured), timed out, and abortable.
 * Answers are the raw JSON items: `GET /v1/users` answers a bare array, `GET /v1/organizations`
 * and `GET /v1/organization_memberships` `{ data, total_count }`; both come back as the array.
 * ```ts
 * const api = new ClerkApi({ apiUrl: "https://api.clerk.com", secretKey, rateLimit: CLERK_RATE_LIMITS.production });
 * const users = await api.listPage("/v1/users", { limit: 500, offset: 0, order_by: "+created_at" });
 * const some = await api.getByIds("/v1/users", "user_id", ["user_1", "user_2"]);
 * const orgs = await api.listPage("/v1/organizations", { limit: 500, offset: 0, order_by: "+created_at" });
 * ```
 * Each call returns the items, or `{ postponeMs }` when the next wait outlasts `deadline`, and
 * throws a `ClerkApiError` (with a `code`) when retrying cannot help.
 */
export class ClerkApi {
  private made = 0;
  private taken = 0;
  private readonly stopped = new AbortController();
  private pacing: Pacing;
  private readonly apiUrl: string;
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: ClerkApiOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, "");
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.clock = options.clock ?? realClock;
    this.fetch = options.fetch ?? ((...args) => fetch(...args));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.pacing = startPacing(options.rateLimit === undefined ? CLERK_RATE_LIMITS.development : options.rateLimit, options.sentAt);
  }

  /** Requests sent so far, refusals and retries included. */
  get requests() {
    return this.made;
  }

  /** Requests sent since the last call, to record with the next write. */
  takeRequests() {
    const n = this.made - this.taken;
    this.taken = this.made;
    return n;
  }

  /** Send times still inside the rate-limit window: pass them as `sentAt` to the client that continues this one's work. */
  recentSends(): number[] {
    return recentSends(this.pacing, this.clock.now());
  }

  /** Stops the client: a request or wait in flight rejects with `ClerkApiAborted`, and so does every later call. */
  abort() {
    this.stopped.abort();
  }

  /**
   * One page of a list endpoint, offset-paginated: `GET {path}?limit&offset&...params`.
   * `limit` is 1 to 500; a page longer than it is a `BAD_RESPONSE`.
   */
  async listPage(path: string, params: Params & { limit: number; offset: number }, options: GetOptions = {}): Promise<unknown[] | Postponed> {
    const { limit } = params;
    if (!Number.isInteger(limit) || limit < 1 || limit > CLERK_MAX_PAGE_SIZE) throw new RangeError(`limit must be 1 to ${CLERK_MAX_PAGE_SIZE}, got ${limit}`);
    const items = await this.get(path, params, options);
    if (!isPostponed(items) && items.length > limit) {
      throw new ClerkApiError("BAD_RESPONSE", `Clerk's GET ${path} returned ${items.length} items, more than the ${limit} asked for.`);
    }
    return items;
  }

  /**
   * The items with these ids, in one request: `GET {path}?{idParam}=a&{idParam}=b&limit=n`.
   * Ids Clerk does not have are simply absent from the answer. At most 500 ids (keep the URL short: 100 is plenty).
   */
  async getByIds(path: string, idParam: string, ids: readonly string[], params: Params = {}, options: GetOptions = {}): Promise<unknown[] | Postponed> {
    if (ids.length === 0) return [];
    return this.listPage(path, { ...params, [idParam]: ids, limit: ids.length, offset: 0 }, options);
  }

  /** `GET {path}?params`, paced and retried; the answer's items (a bare array or `{ data }`). */
  async get(path: string, params: Params = {}, options: GetOptions = {}): Promise<unknown[] | Postponed> {
    const url = `${this.apiUrl}${path}?${searchParams(params)}`;
    let counts: AttemptCounts = { failures: 0, rateLimited: 0 };
    for (;;) {
      const paced = delayBefore(this.pacing, this.clock.now());
      if (paced > 0) {
        const waited = await this.wait(paced);
        if (waited) return waited;
      }
      if (this.stopped.signal.aborted) throw new ClerkApiAborted();
      this.made++;
      const sent = this.clock.now();
      this.pacing = recordSend(this.pacing, sent);
      let result: Awaited<ReturnType<ClerkApi["attempt"]>>;
      try {
        result = await this.attempt(path, url, options.single === true);
      } finally {
        // Clerk counted the request somewhere between sending and answering: the answer's time is the safe one.
        this.pacing = settleSend(this.pacing, sent, this.clock.now());
      }
      if ("items" in result) return result.items;
      // The list of something that is gone (an organization's memberships, after it was deleted).
      if (options.notFound === "empty" && "status" in result && result.status === 404) return [];
      const decision = decideRetry(result, counts, this.retry, this.clock.now(), `GET ${path}`);
      if (!decision.retry) throw new ClerkApiError(decision.code, decision.message);
      counts = decision.counts;
      // A refusal holds every request, not only this one: the whole key is blocked until then.
      if ("status" in result && result.status === 429) this.pacing = blockUntil(this.pacing, this.clock.now() + decision.delayMs);
      const waited = await this.wait(decision.delayMs);
      if (waited) return waited;
    }
  }

  /** Waits `ms`, or returns the postponement when that would end past the deadline. */
  private async wait(ms: number): Promise<Postponed | undefined> {
    if (this.options.deadline !== undefined && this.clock.now() + ms >= this.options.deadline) return { postponeMs: ms };
    if (this.stopped.signal.aborted) throw new ClerkApiAborted();
    await this.clock.sleep(ms, this.stopped.signal);
    return undefined;
  }

  private async attempt(path: string, url: string, single: boolean): Promise<{ items: unknown[] } | AttemptResult> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.timeoutMs);
    const onStop = () => timeout.abort();
    this.stopped.signal.addEventListener("abort", onStop);
    try {
      const response = await this.fetch(url, {
        headers: { Authorization: `Bearer ${this.options.secretKey}`, Accept: "application/json" },
        signal: timeout.signal,
      });
      this.readRateLimitHeaders(response.headers);
      if (!response.ok) {
        await response.body?.cancel();
        return { status: response.status, retryAfter: response.headers.get("retry-after") };
      }
      const body: unknown = await response.json().catch(() => undefined);
      if (single && typeof body === "object" && body !== null && !Array.isArray(body)) return { items: [body] };
      const items = Array.isArray(body) ? body : Array.isArray((body as { data?: unknown } | undefined)?.data) ? (body as { data: unknown[] }).data : undefined;
      if (!items)
        throw new ClerkApiError(
          "BAD_RESPONSE",
          `Clerk's GET ${path} answered 200 without a JSON ${single ? "object" : "list"}. Is apiUrl (or CLERK_API_URL) Clerk's Backend API?`,
        );
      return { items };
    } catch (error) {
      if (error instanceof ClerkApiError) throw error;
      if (this.stopped.signal.aborted) throw new ClerkApiAborted();
      return { networkError: timeout.signal.aborted ? `no answer in ${this.timeoutMs / 1000} s` : error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
      this.stopped.signal.removeEventListener("abort", onStop);
    }
  }

  /**
   * Clerk does not document rate-limit headers; if an answer carries them anyway (the IETF
   * draft's `RateLimit-Remaining`/`-Reset` or the common `X-RateLimit-*`), none remaining holds
   * the next request until the reset.
   */
  private readRateLimitHeaders(headers: Headers) {
    const remaining = headers.get("ratelimit-remaining") ?? headers.get("x-ratelimit-remaining");
    if (remaining === null || Number(remaining.trim()) !== 0) return;
    const resetMs = parseReset(headers.get("ratelimit-reset") ?? headers.get("x-ratelimit-reset"), this.clock.now());
    if (resetMs !== undefined) this.pacing = blockUntil(this.pacing, this.clock.now() + resetMs);
  }
}

/** A reset header as ms from `now`: delta-seconds, or epoch seconds when it is that large. */
export function parseReset(value: string | null, now: number): number | undefined {
  if (value === null || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  const n = Number(value.trim());
  // Delta-seconds are small; an epoch in seconds is past 1e9 (2001).
  return n > 1e9 ? Math.max(0, Math.ceil(n * 1000 - now)) : Math.ceil(n * 1000);
}

function searchParams(params: Params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) search.append(key, String(item));
    else search.append(key, String(value));
  }
  return search;
}
