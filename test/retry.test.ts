import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { DEFAULT_RETRY_POLICY, backoffDelay, decideRetry, parseRetryAfter, type AttemptCounts, type RetryPolicy } from "../src/shared/retry";

/** The resync's retry policy, pure: what to do after each failed request to Clerk. */

const policy: RetryPolicy = { maxAttempts: 4, maxRateLimitedAttempts: 10, baseDelayMs: 100, maxDelayMs: 1_000 };
const fresh: AttemptCounts = { failures: 0, rateLimited: 0 };
const now = Date.UTC(2026, 0, 1);

describe("429: rate limited", () => {
  test("waits what Retry-After says, in seconds", () => {
    expect(decideRetry({ status: 429, retryAfter: "3" }, fresh, policy, now)).toEqual({ retry: true, delayMs: 3_000, counts: { failures: 0, rateLimited: 1 } });
  });

  test("reads Retry-After as an HTTP date too", () => {
    const at = new Date(now + 7_000).toUTCString();
    expect(decideRetry({ status: 429, retryAfter: at }, fresh, policy, now)).toMatchObject({ retry: true, delayMs: 7_000 });
  });

  test("without a readable Retry-After, backs off", () => {
    expect(decideRetry({ status: 429, retryAfter: null }, fresh, policy, now)).toMatchObject({ retry: true, delayMs: 100 });
    expect(decideRetry({ status: 429, retryAfter: "soon" }, { failures: 0, rateLimited: 2 }, policy, now)).toMatchObject({ retry: true, delayMs: 400 });
  });

  test("does not use up the attempts for errors: being rate limited is a long sync's normal pace", () => {
    let counts = fresh;
    for (let i = 0; i < policy.maxRateLimitedAttempts - 1; i++) {
      const decision = decideRetry({ status: 429, retryAfter: "1" }, counts, policy, now);
      expect(decision.retry).toBe(true);
      if (decision.retry) counts = decision.counts;
    }
    expect(counts).toEqual({ failures: 0, rateLimited: policy.maxRateLimitedAttempts - 1 });
    // ...but gives up past its own, larger cap.
    expect(decideRetry({ status: 429, retryAfter: "1" }, counts, policy, now)).toMatchObject({ retry: false, code: "RATE_LIMITED" });
  });
});

describe("5xx and network errors", () => {
  test.each([500, 502, 503, 504])("HTTP %i backs off exponentially", (status) => {
    expect(decideRetry({ status }, fresh, policy, now)).toEqual({ retry: true, delayMs: 100, counts: { failures: 1, rateLimited: 0 } });
    expect(decideRetry({ status }, { failures: 2, rateLimited: 0 }, policy, now)).toMatchObject({ retry: true, delayMs: 400 });
  });

  test("a network error is retried the same way", () => {
    expect(decideRetry({ networkError: "ECONNRESET" }, { failures: 1, rateLimited: 0 }, policy, now)).toMatchObject({ retry: true, delayMs: 200 });
  });

  test("gives up after maxAttempts attempts with CLERK_UNAVAILABLE", () => {
    const last = decideRetry({ status: 500 }, { failures: policy.maxAttempts - 1, rateLimited: 0 }, policy, now);
    expect(last).toMatchObject({ retry: false, code: "CLERK_UNAVAILABLE" });
    if (!last.retry) expect(last.message).toContain("resumes");
  });

  test("a 503's Retry-After is honoured when longer than the backoff", () => {
    expect(decideRetry({ status: 503, retryAfter: "5" }, fresh, policy, now)).toMatchObject({ retry: true, delayMs: 5_000 });
    expect(decideRetry({ status: 503, retryAfter: "0" }, fresh, policy, now)).toMatchObject({ retry: true, delayMs: 100 });
  });

  test("delays never exceed maxDelayMs and never shrink from one failure to the next", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 60_000 }), (failures, base, max) => {
        const p = { ...policy, baseDelayMs: base, maxDelayMs: Math.max(base, max) };
        expect(backoffDelay(failures, p)).toBeLessThanOrEqual(p.maxDelayMs);
        expect(backoffDelay(failures + 1, p)).toBeGreaterThanOrEqual(backoffDelay(failures, p));
      }),
    );
  });
});

describe("errors retrying cannot fix", () => {
  test.each([401, 403])("HTTP %i stops at once, naming CLERK_SECRET_KEY", (status) => {
    const decision = decideRetry({ status }, fresh, policy, now);
    expect(decision).toMatchObject({ retry: false, code: "UNAUTHORIZED" });
    if (!decision.retry) expect(decision.message).toContain("CLERK_SECRET_KEY");
  });

  test.each([400, 404, 422])("HTTP %i stops at once", (status) => {
    expect(decideRetry({ status }, fresh, policy, now)).toMatchObject({ retry: false, code: "CLERK_REQUEST_REJECTED" });
  });
});

describe("parseRetryAfter", () => {
  test.each([
    ["1", 1_000],
    ["0", 0],
    [" 12 ", 12_000],
    ["1.5", 1_500],
  ])("%j seconds", (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  test("a date in the past means now", () => {
    expect(parseRetryAfter(new Date(now - 5_000).toUTCString(), now)).toBe(0);
  });

  test.each([null, undefined, "", "-1", "tomorrow"])("%j is unreadable", (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

test("the default policy retries 5xx 5 times over about 15 s and waits out a minute of 429s", () => {
  expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(5);
  const waits = [1, 2, 3, 4].map((failures) => backoffDelay(failures, DEFAULT_RETRY_POLICY));
  expect(waits.reduce((a, b) => a + b)).toBe(15_000);
  expect(DEFAULT_RETRY_POLICY.maxRateLimitedAttempts).toBeGreaterThanOrEqual(50);
});

test("a refused request is named in the message (any resource)", () => {
  const decision = decideRetry({ status: 422 }, fresh, policy, now, "GET /v1/organizations");
  expect(decision).toMatchObject({ retry: false, code: "CLERK_REQUEST_REJECTED" });
  expect(!decision.retry && decision.message).toContain("GET /v1/organizations");
});
