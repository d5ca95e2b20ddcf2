import { afterEach, describe, expect, test } from "vitest";
import { ClerkApi, ClerkApiAborted, ClerkApiError, isPostponed, parseReset, type ClerkApiOptions, type Clock } from "../src/client/resync/clerkApi";
import { CLERK_RATE_LIMITS, PACING_MARGIN_MS } from "../src/client/resync/pacer";
import { SECRET_KEY, clerkUsers, startFakeClerkApi, type FakeClerkApi, type FakeClerkApiOptions } from "./fixtures/clerkApi";

/**
 * The Backend API client on its own, against the local fake Clerk API, on a virtual clock: the
 * fake's limiter and the client's waits share it, so a minute of rate limiting takes no time.
 */

const T0 = 1_700_000_000_000;

/** A clock whose sleeps return at once, moving time on by what they waited. */
function virtualClock() {
  const clock = {
    t: T0,
    sleeps: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number, signal: AbortSignal) => {
      if (signal.aborted) throw new ClerkApiAborted();
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
  return clock;
}

let api: FakeClerkApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function setup(fake: Omit<FakeClerkApiOptions, "now"> = {}, client: Partial<ClerkApiOptions> = {}) {
  const clock = virtualClock();
  api = await startFakeClerkApi({ users: clerkUsers(30), ...fake, now: clock.now });
  const clerk = new ClerkApi({ apiUrl: `${api.url}/`, secretKey: SECRET_KEY, clock, retry: { baseDelayMs: 100, maxDelayMs: 400, maxAttempts: 3 }, ...client });
  return { api, clock, clerk };
}

const ids = (items: unknown) => (items as { id: string }[]).map((item) => item.id);

describe("requests and answers", () => {
  test("listPage: GET path?limit&offset&params with the Bearer key; a bare array comes back as is", async () => {
    const { api, clerk } = await setup();
    const page = await clerk.listPage("/v1/users", { limit: 10, offset: 5, order_by: "+created_at" });
    expect(ids(page)).toEqual(clerkUsers(10, 5).map((u) => u.id));
    expect(api.log.map((r) => [r.path, r.limit, r.offset, r.orderBy, r.status])).toEqual([["/v1/users", 10, 5, "+created_at", 200]]);
    expect(clerk.requests).toBe(1);
  });

  test("listPage: a `{ data, total_count }` answer (organizations, memberships, any other list) comes back as its data", async () => {
    const connections = Array.from({ length: 7 }, (_, i) => ({ object: "saml_connection", id: `samlc_${i}` }));
    const { clerk } = await setup({ resources: { "/v1/saml_connections": connections } });
    expect(ids(await clerk.listPage("/v1/saml_connections", { limit: 5, offset: 0 }))).toEqual(["samlc_0", "samlc_1", "samlc_2", "samlc_3", "samlc_4"]);
    expect(ids(await clerk.listPage("/v1/saml_connections", { limit: 5, offset: 5 }))).toEqual(["samlc_5", "samlc_6"]);
  });

  test("getByIds: one request, the id parameter repeated, limit the number of ids; unknown ids are absent", async () => {
    const { api, clerk } = await setup();
    const found = await clerk.getByIds("/v1/users", "user_id", ["user_000003", "user_999999", "user_000007"]);
    expect(ids(found).sort()).toEqual(["user_000003", "user_000007"]);
    expect(api.log.map((r) => [r.userIds, r.limit])).toEqual([[["user_000003", "user_999999", "user_000007"], 3]]);
    expect(await clerk.getByIds("/v1/users", "user_id", [])).toEqual([]);
    expect(api.log.length).toBe(1); // No ids, no request.
  });

  test("a page longer than the limit asked, or a 200 that is no list, is BAD_RESPONSE", async () => {
    const { api, clerk } = await setup();
    api.failNext({ status: 200, body: Array.from({ length: 3 }, (_, i) => ({ id: `user_${i}` })) });
    await expect(clerk.listPage("/v1/users", { limit: 2, offset: 0 })).rejects.toMatchObject({ code: "BAD_RESPONSE" });
    api.failNext({ status: 200, body: { hello: "world" } });
    await expect(clerk.listPage("/v1/users", { limit: 2, offset: 0 })).rejects.toMatchObject({ code: "BAD_RESPONSE" });
  });

  test("limit outside 1 to 500 is refused before any request", async () => {
    const { api, clerk } = await setup();
    await expect(clerk.listPage("/v1/users", { limit: 501, offset: 0 })).rejects.toThrow(RangeError);
    expect(api.log).toEqual([]);
  });
});

describe("failures", () => {
  test("a 401 throws UNAUTHORIZED at once, naming CLERK_SECRET_KEY and never the key", async () => {
    const { api, clerk } = await setup({ secretKey: "sk_test_other_instance" });
    const error = await clerk.listPage("/v1/users", { limit: 10, offset: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClerkApiError);
    expect(error).toMatchObject({ code: "UNAUTHORIZED" });
    expect((error as Error).message).toContain("CLERK_SECRET_KEY");
    expect((error as Error).message).not.toContain(SECRET_KEY.slice(8));
    expect(api.log.length).toBe(1);
  });

  test("another 4xx throws CLERK_REQUEST_REJECTED naming the request", async () => {
    const { api, clerk } = await setup();
    api.failNext({ status: 422 });
    await expect(clerk.listPage("/v1/organizations", { limit: 10, offset: 0 })).rejects.toThrow(/GET \/v1\/organizations/);
  });

  test("5xx backs off exponentially, then gives up with CLERK_UNAVAILABLE", async () => {
    const { api, clock, clerk } = await setup();
    api.failNext({ status: 500 }, { status: 503 });
    expect(ids(await clerk.listPage("/v1/users", { limit: 2, offset: 0, order_by: "+created_at" }))).toEqual(["user_000000", "user_000001"]);
    expect(clock.sleeps).toEqual([100, 200]);
    api.failNext({ status: 502 }, { status: 502 }, { status: 502 });
    await expect(clerk.listPage("/v1/users", { limit: 2, offset: 0 })).rejects.toMatchObject({ code: "CLERK_UNAVAILABLE" });
    expect(clerk.requests).toBe(6);
  });

  test("a request with no answer in timeoutMs is abandoned and retried", async () => {
    let calls = 0;
    const hanging: typeof fetch = (_url, init) => {
      calls++;
      if (calls > 1) return Promise.resolve(new Response("[]", { status: 200 }));
      return new Promise((_, reject) => init!.signal!.addEventListener("abort", () => reject(new Error("aborted"))));
    };
    const clock = virtualClock();
    const clerk = new ClerkApi({ apiUrl: "http://clerk.invalid", secretKey: SECRET_KEY, clock, fetch: hanging, timeoutMs: 5 });
    expect(await clerk.listPage("/v1/users", { limit: 2, offset: 0 })).toEqual([]);
    expect(calls).toBe(2);
  });

  test("abort() stops a wait in flight and every later call", async () => {
    const clock: Clock = {
      now: () => Date.now(),
      sleep: (_ms, signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(new ClerkApiAborted()))),
    };
    api = await startFakeClerkApi({ users: clerkUsers(3) });
    const clerk = new ClerkApi({ apiUrl: api.url, secretKey: SECRET_KEY, clock });
    api.failNext({ status: 429, retryAfter: "60" });
    const pending = clerk.listPage("/v1/users", { limit: 2, offset: 0 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    clerk.abort();
    await expect(pending).rejects.toBeInstanceOf(ClerkApiAborted);
    await expect(clerk.listPage("/v1/users", { limit: 2, offset: 0 })).rejects.toBeInstanceOf(ClerkApiAborted);
    expect(api.log.length).toBe(1);
  });
});

describe("Clerk's rate limit", () => {
  test("a 429 waits what Retry-After says, then asks again", async () => {
    const { api, clock, clerk } = await setup();
    api.failNext({ status: 429, retryAfter: "3" });
    expect(ids(await clerk.listPage("/v1/users", { limit: 1, offset: 4, order_by: "+created_at" }))).toEqual(["user_000004"]);
    expect(clock.sleeps).toEqual([3000]);
    expect(api.log.map((r) => [r.status, r.offset, r.at - T0])).toEqual([
      [429, 4, 0],
      [200, 4, 3000],
    ]);
  });

  test("paced to Clerk's documented development limit, 250 requests draw no 429 from a fixed window: three windows", async () => {
    const { api, clock, clerk } = await setup({ rateLimit: { ...CLERK_RATE_LIMITS.development, model: "window" } });
    for (let i = 0; i < 250; i++) await clerk.listPage("/v1/users", { limit: 1, offset: 0 });
    expect(api.log.filter((r) => r.status === 429)).toEqual([]);
    expect(api.log.length).toBe(250);
    // 100 at once, 100 one window (plus the margin) later, 50 after another.
    expect(clock.t - T0).toBe(2 * (10_000 + PACING_MARGIN_MS));
  });

  test("nor from a token bucket of the same rate", async () => {
    const { api, clerk } = await setup({ rateLimit: { ...CLERK_RATE_LIMITS.development, model: "bucket" } });
    for (let i = 0; i < 250; i++) await clerk.listPage("/v1/users", { limit: 1, offset: 0 });
    expect(api.log.filter((r) => r.status === 429)).toEqual([]);
  });

  test("unpaced (rateLimit null), the window's rest is refused: one 429, then the wait Retry-After asks", async () => {
    const { api, clock, clerk } = await setup({ rateLimit: { requests: 5, windowMs: 10_000 } }, { rateLimit: null });
    for (let i = 0; i < 12; i++) await clerk.listPage("/v1/users", { limit: 1, offset: 0 });
    // Each refusal blocks the whole key until the window ends, so only one per window.
    expect(api.log.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 200, 200, 200, 200, 200, 429, 200, 200]);
    expect(clock.sleeps).toEqual([10_000, 10_000]);
  });

  test("rate-limit headers saying none remain hold the next request until the reset", async () => {
    const { api, clerk } = await setup({ rateLimit: { requests: 5, windowMs: 10_000 }, rateLimitHeaders: true }, { rateLimit: null });
    for (let i = 0; i < 12; i++) await clerk.listPage("/v1/users", { limit: 1, offset: 0 });
    expect(api.log.filter((r) => r.status === 429)).toEqual([]);
  });

  test("a wait past the deadline is not waited: the call returns { postponeMs }", async () => {
    const { api, clock, clerk } = await setup(
      { rateLimit: { requests: 2, windowMs: 10_000 } },
      { rateLimit: { requests: 2, windowMs: 10_000 }, deadline: T0 + 5_000 },
    );
    await clerk.listPage("/v1/users", { limit: 1, offset: 0 });
    await clerk.listPage("/v1/users", { limit: 1, offset: 0 });
    const third = await clerk.listPage("/v1/users", { limit: 1, offset: 0 });
    expect(isPostponed(third) && third.postponeMs).toBe(10_000 + PACING_MARGIN_MS);
    expect(clock.sleeps).toEqual([]);
    expect(api.log.length).toBe(2);
  });

  test("a client continuing another's work keeps to its window: sentAt from recentSends()", async () => {
    const { api, clock } = await setup({ rateLimit: { requests: 10, windowMs: 10_000 } });
    const options = { apiUrl: api.url, secretKey: SECRET_KEY, clock, rateLimit: { requests: 10, windowMs: 10_000 } };
    const first = new ClerkApi(options);
    for (let i = 0; i < 7; i++) await first.listPage("/v1/users", { limit: 1, offset: 0 });
    clock.t += 1_000;
    const second = new ClerkApi({ ...options, sentAt: first.recentSends() });
    for (let i = 0; i < 7; i++) await second.listPage("/v1/users", { limit: 1, offset: 0 });
    expect(api.log.filter((r) => r.status === 429)).toEqual([]);
    expect(second.takeRequests()).toBe(7);
    expect(second.takeRequests()).toBe(0);
  });
});

describe("rate-limit headers", () => {
  test("parseReset: delta-seconds, or epoch seconds", () => {
    expect(parseReset("3", T0)).toBe(3_000);
    expect(parseReset(String((T0 + 4_000) / 1000), T0)).toBe(4_000);
    expect(parseReset("soon", T0)).toBeUndefined();
    expect(parseReset(null, T0)).toBeUndefined();
  });
});
