import type { ResyncErrorCode } from "./resync.js";

/**
 * How the resync retries one request to Clerk's Backend API.
 * - `429` waits what `Retry-After` says (Clerk sends it in seconds). Rate limiting is the normal
 *   pace of a long resync, so it has its own, larger cap: `maxRateLimitedAttempts`.
 * - `5xx` and network errors back off exponentially (`baseDelayMs` doubling, at most `maxDelayMs`),
 *   for at most `maxAttempts` attempts in all.
 * - `401`/`403` (a wrong or revoked key) and other `4xx` stop at once: retrying cannot fix them.
 */
export type RetryPolicy = {
  maxAttempts: number;
  maxRateLimitedAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
};

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  maxRateLimitedAttempts: 50,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
};

/** What one attempt got: an HTTP status (with its `Retry-After`, if any), or a network failure. */
export type AttemptResult = { status: number; retryAfter?: string | null } | { networkError: string };

/** Attempts made so far for one request, counted by kind. */
export type AttemptCounts = { failures: number; rateLimited: number };

export type RetryDecision = { retry: true; delayMs: number; counts: AttemptCounts } | { retry: false; code: ResyncErrorCode; message: string };

/** The secret key's env var, named in every message about a rejected key. */
export const SECRET_KEY_ENV_VAR = "CLERK_SECRET_KEY";

/**
 * Decides what to do after a failed attempt. Pure: the caller sleeps and counts. `request`
 * names the request in messages (e.g. "GET /v1/organizations").
 * ```ts
 * const d = decideRetry({ status: 429, retryAfter: "3" }, counts, DEFAULT_RETRY_POLICY, Date.now());
 * if (d.retry) await sleep(d.delayMs);
 * ```
 */
export function decideRetry(result: AttemptResult, counts: AttemptCounts, policy: RetryPolicy, now: number, request = "the users list request"): RetryDecision {
  if ("networkError" in result) return backoff(counts, policy, `network error: ${result.networkError}`);
  const { status } = result;
  if (status === 401 || status === 403) {
    return {
      retry: false,
      code: "UNAUTHORIZED",
      message: `Clerk rejected the secret key (HTTP ${status}). Set ${SECRET_KEY_ENV_VAR} in your Convex deployment's environment variables to the secret key (sk_...) of the Clerk instance your app uses.`,
    };
  }
  if (status === 429) {
    const rateLimited = counts.rateLimited + 1;
    if (rateLimited >= policy.maxRateLimitedAttempts) {
      return {
        retry: false,
        code: "RATE_LIMITED",
        message: `Clerk kept answering 429 (rate limited) ${rateLimited} times in a row for one request; the key's rate limit is probably shared with other busy callers. Run the resync again later: it resumes where it stopped.`,
      };
    }
    const delayMs = parseRetryAfter(result.retryAfter, now) ?? backoffDelay(rateLimited, policy);
    return { retry: true, delayMs, counts: { ...counts, rateLimited } };
  }
  if (status >= 500) {
    const decision = backoff(counts, policy, `HTTP ${status}`);
    // A 503 may say when to come back; that beats guessing, but never wait less than the backoff.
    const hinted = parseRetryAfter(result.retryAfter, now);
    if (decision.retry && hinted !== undefined) decision.delayMs = Math.max(decision.delayMs, hinted);
    return decision;
  }
  return { retry: false, code: "CLERK_REQUEST_REJECTED", message: `Clerk's Backend API answered HTTP ${status} to ${request}.` };
}

function backoff(counts: AttemptCounts, policy: RetryPolicy, what: string): RetryDecision {
  const failures = counts.failures + 1;
  if (failures >= policy.maxAttempts) {
    return {
      retry: false,
      code: "CLERK_UNAVAILABLE",
      message: `Clerk's Backend API failed ${failures} times in a row (last: ${what}). Run the resync again later: it resumes where it stopped.`,
    };
  }
  return { retry: true, delayMs: backoffDelay(failures, policy), counts: { ...counts, failures } };
}

/** `baseDelayMs`, doubled for each earlier failure, at most `maxDelayMs`. */
export function backoffDelay(failures: number, policy: RetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failures - 1));
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date (RFC 9110). Undefined if absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  // An HTTP date names its day and month ("Wed, 21 Oct 2026 07:28:00 GMT"); anything else is not one.
  const at = /[a-z]{3}/i.test(trimmed) ? Date.parse(trimmed) : NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
