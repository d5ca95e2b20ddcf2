import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { convexTest } from "convex-test";
import { v } from "convex/values";
import { internalMutationGeneric, makeFunctionReference, mutationGeneric, queryGeneric, type FunctionReference } from "convex/server";
import clerkUsersTest from "convex-clerk-users/test";
import { isResyncError, makeResyncAction, userHookArgs, vUser, type ResyncStatus, type ResyncOptions } from "convex-clerk-users";
import schema from "../example/convex/schema";
import { components, internal } from "../example/convex/_generated/api";
import { resync } from "../example/convex/clerk";
import { appModules } from "./setup";
import { WEBHOOK_SECRET, clerkUser, deletedEvent, sign, userEvent } from "./fixtures/clerk";
import { SECRET_KEY, clerkUsers, startFakeClerkApi, type FakeClerkApi } from "./fixtures/clerkApi";
import { captureLogs } from "./fixtures/logs";
import { withLimits } from "../src/component/limits.js";

const logs = captureLogs();
/** The line a failed resync logs for the deployment's logs: its code and message. */
const resyncLog = (code: string) => logs.take(new RegExp(`^convex-clerk-users resync: ${code}: `));

/**
 * The resync, run as an app runs it: the example app's `clerk:resync` (and variants with
 * small pages and short steps, defined the same way) against a real HTTP server playing
 * Clerk's Backend API.
 */

const hooks: ResyncOptions = { hooks: internal.profiles.clerkHooks };
const fastRetry = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 };

/** Variants an app could define, with small pages so a few dozen users span several. */
const variants = {
  small: makeResyncAction(components.clerkUsers, { ...hooks, pageSize: 10, retry: fastRetry }),
  /** Each step takes one page (or one chunk of a span, or one reconcile batch), then schedules the next. */
  stepwise: makeResyncAction(components.clerkUsers, { ...hooks, pageSize: 10, retry: fastRetry, maxStepMs: 0, allowMassRemoval: true }),
  /** Removes however many users Clerk no longer has. */
  massRemoval: makeResyncAction(components.clerkUsers, { ...hooks, pageSize: 10, retry: fastRetry, allowMassRemoval: true }),
  /** The example's resync (pages of 500) that removes however many users Clerk no longer has. */
  fullPagesMassRemoval: makeResyncAction(components.clerkUsers, { ...hooks, allowMassRemoval: true }),
  /** As `stepwise`, paced to 3 requests per 100 ms. */
  stepwisePaced: makeResyncAction(components.clerkUsers, { pageSize: 10, retry: fastRetry, maxStepMs: 0, rateLimit: { requests: 3, windowMs: 100 } }),
  /** Runs idle for half a second count as crashed (long enough for a step on a busy machine). */
  quickToResume: makeResyncAction(components.clerkUsers, { ...hooks, pageSize: 10, retry: fastRetry, staleAfterMs: 500 }),
};
const variant = (name: keyof typeof variants) => makeFunctionReference<"action", { runId?: string; lease?: string }, ResyncStatus>(`syncVariants:${name}`);

/** Everything the component stores, to check what it keeps (test-only component query). */
const dump = queryGeneric({
  args: {},
  handler: async (ctx) => ({
    runs: await ctx.db.query("resyncRuns").collect(),
    users: await ctx.db.query("users").collect(),
    tombstones: await ctx.db.query("tombstones").collect(),
  }),
});
/** Writes rows straight into the component's users table, as a past webhook would have (test-only). */
const seed = mutationGeneric({
  args: { rows: v.array(v.any()) },
  handler: async (ctx, { rows }) => {
    for (const row of rows) await ctx.db.insert("users", row);
  },
});
// The component's functions are reached through `components`, which accepts any path.
const testDump = (
  components.clerkUsers as unknown as { testDump: { dump: FunctionReference<"query", "internal">; seed: FunctionReference<"mutation", "internal"> } }
).testDump;
const dumpRef = testDump.dump;

let api: FakeClerkApi;
let t: ReturnType<typeof setup>;

function setup() {
  // Convex's per-transaction limits are enforced: a page that broke them would fail here.
  const backend = convexTest({
    schema,
    modules: { ...appModules, "../example/convex/syncVariants.ts": async () => variants },
    transactionLimits: true,
  });
  backend.registerComponent("clerkUsers", clerkUsersTest.schema, { ...clerkUsersTest.modules, "./component/testDump.ts": async () => ({ dump, seed }) });
  return backend;
}

beforeEach(async () => {
  api = await startFakeClerkApi({ users: clerkUsers(35) });
  process.env.CLERK_SECRET_KEY = SECRET_KEY;
  process.env.CLERK_API_URL = api.url;
  process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
  t = setup();
});
afterEach(async () => {
  await api.close();
  delete process.env.CLERK_SECRET_KEY;
  delete process.env.CLERK_API_URL;
});

const status = () => t.query(components.clerkUsers.resync.status, {});
const user = (clerkId: string) => t.query(components.clerkUsers.users.getByClerkId, { clerkId });
const stored = async () => (await t.query(dumpRef, {})) as { runs: unknown[]; users: { clerkId: string }[]; tombstones: { clerkId: string }[] };
const storedIds = async () => (await stored()).users.map((u) => u.clerkId).sort();
const profiles = () => t.run((ctx) => ctx.db.query("profiles").collect());
const listedIds = () =>
  api
    .list()
    .map((u) => u.id)
    .sort();
const deliver = (event: object) => {
  const delivery = sign(event);
  return t.fetch("/clerk-users-webhook", { method: "POST", headers: delivery.headers, body: delivery.body });
};

/** Runs scheduled steps until the run stops running. */
async function settled(timeoutMs = 20_000): Promise<ResyncStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await t.finishInProgressScheduledFunctions();
    const current = await status();
    if (current && current.state !== "running") return current;
    if (Date.now() > deadline) throw new Error(`resync still running: ${JSON.stringify(current)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Starts a run for a step holding `lease`, as the action does, and returns its id. */
async function startRun(lease: string, staleAfterMs: number) {
  const started = await t.mutation(components.clerkUsers.resync.start, { lease, staleAfterMs });
  if (!started.acquired) throw new Error("a run is already active");
  return started.step.status.runId;
}

/** A listed Clerk object as the action hands it back: its id and creation time. */
const listed = (json: { id: string; created_at: number }) => ({ id: json.id, created_at: json.created_at });

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the action to throw");
}

/**
 * A backend whose app module `custom` holds `functions` and an action `sync` made with the
 * options `optionsFor(references to those functions)` gives.
 */
function backendWith(functions: Record<string, unknown>, optionsFor: (app: Record<string, never>) => ResyncOptions) {
  const refs = Object.fromEntries(Object.keys(functions).map((name) => [name, makeFunctionReference(`custom:${name}`)])) as Record<string, never>;
  const sync = makeResyncAction(components.clerkUsers, optionsFor(refs));
  const backend = convexTest({
    schema,
    modules: { ...appModules, "../example/convex/custom.ts": async () => ({ ...functions, sync }) },
    transactionLimits: true,
  });
  clerkUsersTest.register(backend);
  return { backend, run: () => backend.action(makeFunctionReference<"action", Record<string, never>, ResyncStatus>("custom:sync"), {}) };
}

describe("a full resync", () => {
  test("fills the table from Clerk: 500 users per request, oldest first, one request per page", async () => {
    api.add(...clerkUsers(1100 - 35, 35));
    const result = await t.action(internal.clerk.resync, {});

    // The example syncs organizations and billing too: one request each for their empty lists
    // (organizations, memberships, plans, subscription items and the latter's head re-read).
    expect(result).toMatchObject({ state: "completed", requests: 8, counts: { user: { seen: 1100, created: 1100, removed: 0 } } });
    expect(result.finishedAt).toBeGreaterThanOrEqual(result.startedAt);
    expect(await status()).toEqual(result);
    expect((await storedIds()).length).toBe(1100);
    // Pages overlap by one user, which proves each continues the last: 3 requests, not 4.
    expect(api.log.filter((r) => r.path === "/v1/users").map((r) => [r.path, r.limit, r.offset, r.orderBy])).toEqual([
      ["/v1/users", 500, 0, "+created_at"],
      ["/v1/users", 500, 499, "+created_at"],
      ["/v1/users", 500, 998, "+created_at"],
    ]);
    expect(api.log.map((r) => r.path).slice(3)).toEqual([
      "/v1/organizations",
      "/v1/organization_memberships",
      "/v1/billing/plans",
      "/v1/billing/subscription_items",
      "/v1/billing/subscription_items",
    ]);
    expect(await user("user_000042")).toMatchObject({ email: "user_000042@example.com", name: "Ada Lovelace", updatedAt: 1_700_000_042_000 });
  });

  test("runs the app's onUserCreated hook for each new user, in the page's transaction", async () => {
    await t.action(variant("small"), {});
    const rows = await profiles();
    expect(rows.map((p) => p.clerkId).sort()).toEqual(listedIds());
    expect(rows.every((p) => p.versions === 1)).toBe(true);
  });

  test("hands a page's changes to the app's hooks in one call, not one per user", async () => {
    const calls: string[][] = [];
    const hooks = internalMutationGeneric({
      args: userHookArgs,
      handler: async (_ctx, { source, events }) => {
        expect(source).toBe("resync");
        calls.push(events.map((event) => `${event.type} ${event.type === "user.created" ? event.user.clerkId : event.type}`));
      },
    });
    const { run } = backendWith({ hooks }, (app) => ({ pageSize: 10, hooks: app.hooks }));
    await run();
    // Pages of 10 overlap by one user: 10 new users, then 9, 9 and 7. Each page is one call.
    expect(calls.map((events) => events.length)).toEqual([10, 9, 9, 7]);
    expect(calls.flat()).toEqual(listedIds().map((id) => `user.created ${id}`));
  });

  test("reads the secret key and API URL at run time, each run", async () => {
    api.secretKey = "sk_test_rotated";
    process.env.CLERK_SECRET_KEY = "sk_test_rotated";
    expect((await t.action(variant("small"), {})).state).toBe("completed");
  });

  test("the secretKey and apiUrl options take precedence over the env vars", async () => {
    process.env.CLERK_SECRET_KEY = "sk_test_wrong";
    process.env.CLERK_API_URL = "http://127.0.0.1:9";
    const { backend, run } = backendWith({}, () => ({ secretKey: SECRET_KEY, apiUrl: api.url, pageSize: 10 }));
    expect((await run()).state).toBe("completed");
    expect(await backend.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_000034" })).not.toBeNull();
  });

  test("is an internal action: not callable from clients", () => {
    expect((resync as unknown as { isInternal?: boolean }).isInternal).toBe(true);
    expect((resync as unknown as { isPublic?: boolean }).isPublic).toBeFalsy();
  });

  test("never asks for a count: one request per page", async () => {
    await t.action(variant("small"), {});
    expect(api.log.every((r) => r.path === "/v1/users")).toBe(true);
    expect(api.log.length).toBe(4); // 35 users, 10 per page, overlapping by one: 0, 9, 18, 27.
  });
});

describe("Clerk's rate limit and failures", () => {
  // Clerk sends whole seconds; a fraction keeps the test from waiting one. The client's own test
  // (test/clerkApi.test.ts) pins the waits on a virtual clock.
  test("a 429 waits the Retry-After Clerk sends, then continues", async () => {
    api.beforeRequest = ({ index }) => (index === 1 ? { status: 429, retryAfter: "0.05" } : undefined);
    const result = await t.action(variant("small"), {});

    expect(result.state).toBe("completed");
    const [, limited, retried] = api.log;
    expect(limited!.status).toBe(429);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(50);
    expect(retried!.offset).toBe(limited!.offset);
    expect(result.requests).toBe(api.log.length);
  });

  test("paced to the rate limit it is given, a resync draws no 429 from Clerk's fixed window", async () => {
    // Clerk's 100 per 10 s, scaled down: 4 requests at 2 per 100 ms.
    await api.close();
    api = await startFakeClerkApi({ users: clerkUsers(35), rateLimit: { requests: 2, windowMs: 100, model: "window" } });
    process.env.CLERK_API_URL = api.url;
    const { backend, run } = backendWith({}, () => ({ pageSize: 10, rateLimit: { requests: 2, windowMs: 100 } }));
    expect(await run()).toMatchObject({ state: "completed", requests: 4, counts: { user: { created: 35 } } });
    expect(api.log.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(api.log[2]!.at - api.log[0]!.at).toBeGreaterThanOrEqual(100);
    expect((await backend.query(components.clerkUsers.users.list, { paginationOpts: { numItems: 100, cursor: null } })).page.length).toBe(35);
  });

  test("a step that hands over mid-window tells the next one, which keeps to the same rate-limit window", async () => {
    await api.close();
    api = await startFakeClerkApi({ users: clerkUsers(35), rateLimit: { requests: 3, windowMs: 100, model: "window" } });
    process.env.CLERK_API_URL = api.url;
    // Every step takes one page, so each page is a new step with a new client.
    const first = await t.action(variant("stepwisePaced"), {});
    expect(first.state).toBe("running");
    expect(await settled()).toMatchObject({ state: "completed", counts: { user: { created: 35 } } });
    expect(api.log.filter((r) => r.status === 429)).toEqual([]);
    const scheduled = await t.run((ctx) => ctx.db.system.query("_scheduled_functions").collect());
    expect(scheduled.some((job) => Array.isArray((job.args[0] as { sentAt?: unknown }).sentAt))).toBe(true);
  });

  test("a run started right after another keeps to the rate-limit window the last one used", async () => {
    await api.close();
    api = await startFakeClerkApi({ users: clerkUsers(35), rateLimit: { requests: 3, windowMs: 150, model: "window" } });
    process.env.CLERK_API_URL = api.url;
    const { run } = backendWith({}, () => ({ pageSize: 10, rateLimit: { requests: 3, windowMs: 150 } }));
    expect(await run()).toMatchObject({ state: "completed", requests: 4 });
    expect(await run()).toMatchObject({ state: "completed", requests: 4 });
    expect(api.log.filter((r) => r.status === 429)).toEqual([]);
  });

  test("unpaced (rateLimit: false), a refusal blocks the key until Retry-After, then the run goes on", async () => {
    api.failNext({ status: 429, retryAfter: "0.05" }, { status: 429, retryAfter: "0.05" });
    const { run } = backendWith({}, () => ({ pageSize: 10, rateLimit: false }));
    expect(await run()).toMatchObject({ state: "completed", requests: 6, counts: { user: { created: 35 } } });
  });

  test("a transient 500 is retried with backoff", async () => {
    api.failNext({ status: 500 });
    const result = await t.action(variant("small"), {});
    expect(result).toMatchObject({ state: "completed", counts: { user: { created: 35 } } });
    expect(api.log[0]!.status).toBe(500);
    expect(result.requests).toBe(5);
  });

  test("5xx past the retry cap stops with lastError; the next call resumes from the last committed page", async () => {
    let down = true;
    api.beforeRequest = ({ offset }) => (down && offset! >= 18 ? { status: 503 } : undefined);
    const error = await rejection(t.action(variant("small"), {}));

    expect(resyncLog("CLERK_UNAVAILABLE")).toEqual([expect.stringMatching(/HTTP 503/)]);
    expect(isResyncError(error, "CLERK_UNAVAILABLE")).toBe(true);
    const failed = await status();
    expect(failed).toMatchObject({ state: "failed", pagesDone: 2, lastError: { code: "CLERK_UNAVAILABLE" } });
    expect((await storedIds()).length).toBe(19);

    down = false;
    api.log.length = 0;
    const resumed = await t.action(variant("small"), {});
    expect(resumed).toMatchObject({ runId: failed!.runId, state: "completed", pagesDone: 4, steps: 2, counts: { user: { seen: 35 } } });
    expect(api.log[0]!.offset).toBe(18); // The page after the last committed one (overlapping it by one), not 0.
    expect(await storedIds()).toEqual(listedIds());
  });

  test("a 401 stops at once with an error naming CLERK_SECRET_KEY, recorded in the status", async () => {
    api.secretKey = "sk_test_some_other_instance";
    const error = await rejection(t.action(variant("small"), {}));

    expect(isResyncError(error, "UNAUTHORIZED")).toBe(true);
    expect(String((error as { data: { message: string } }).data.message)).toContain("CLERK_SECRET_KEY");
    const logged = resyncLog("UNAUTHORIZED");
    expect(logged).toEqual([expect.stringContaining("CLERK_SECRET_KEY")]);
    expect(logged.join()).not.toContain(SECRET_KEY);
    expect(api.log.map((r) => r.status)).toEqual([401]); // No retry.
    const failed = await status();
    expect(failed).toMatchObject({ state: "failed", pagesDone: 0, requests: 1, lastError: { code: "UNAUTHORIZED" } });
    expect(failed!.lastError!.message).toContain("CLERK_SECRET_KEY");
    expect(JSON.stringify(failed)).not.toContain(SECRET_KEY);
    expect(await storedIds()).toEqual([]);
  });

  test("no key configured: a clear error, no request, and the run's status and the webhook's health say so; with the key, the next call resumes it", async () => {
    delete process.env.CLERK_SECRET_KEY;
    const error = await rejection(t.action(variant("small"), {}));
    expect(isResyncError(error, "MISSING_SECRET_KEY")).toBe(true);
    expect((error as { data: { message: string } }).data.message).toContain("CLERK_SECRET_KEY");
    expect(resyncLog("MISSING_SECRET_KEY")).toEqual([expect.stringContaining("set CLERK_SECRET_KEY")]);
    expect(api.log).toEqual([]);
    expect(await status()).toMatchObject({ state: "failed", lastError: { code: "MISSING_SECRET_KEY", message: expect.stringContaining("CLERK_SECRET_KEY") } });
    const health = await t.query(components.clerkUsers.health.status, {});
    expect(health.lastResync).toMatchObject({ state: "failed", lastError: { code: "MISSING_SECRET_KEY" } });
    process.env.CLERK_SECRET_KEY = SECRET_KEY;
    expect(await t.action(variant("small"), {})).toMatchObject({ state: "completed", steps: 2, counts: { user: { created: 35 } } });
  });

  test("a page is one transaction: a hook failing on its 6th user writes none of it, and the run records why", async () => {
    const hooks = internalMutationGeneric({
      args: userHookArgs,
      handler: async (_ctx, { events }) => {
        if (events.some((event) => event.type === "user.created" && event.user.clerkId === "user_000015")) throw new Error("profile service said no");
      },
    });
    const { backend, run } = backendWith({ hooks }, (app) => ({ pageSize: 10, hooks: app.hooks }));
    await rejection(run());
    expect(resyncLog("RESYNC_FAILED")).toEqual([expect.stringContaining("profile service said no")]);
    const failed = await backend.query(components.clerkUsers.resync.status, {});
    expect(failed).toMatchObject({ state: "failed", pagesDone: 1, lastError: { code: "RESYNC_FAILED" }, counts: { user: { created: 10 } } });
    expect(failed!.lastError!.message).toContain("profile service said no");
    // The first page is stored; none of the second, though its rows were written before its hooks ran.
    expect(await backend.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_000009" })).not.toBeNull();
    expect(await backend.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_000010" })).toBeNull();
  });
});

describe("what the app sees", () => {
  test("rows a resync wrote reach queries and hooks as Clerk's data only, with no resync bookkeeping", async () => {
    const hookArgs: Array<Record<string, unknown>> = [];
    const hooks = internalMutationGeneric({
      args: { source: v.string(), events: v.array(v.any()) },
      handler: async (_ctx, { events }) => {
        for (const event of events) hookArgs.push(event.user, ...(event.previous ? [event.previous] : []));
      },
    });
    const { backend, run } = backendWith({ hooks }, (app) => ({ pageSize: 10, hooks: app.hooks }));
    await run();
    api.update("user_000007", { first_name: "Grace", updated_at: 1_700_000_999_000 });
    await run();

    const userKeys = Object.keys(vUser.fields).sort();
    expect(hookArgs.length).toBe(35 + 2); // 35 created, then one update with its previous version.
    for (const args of hookArgs) expect(Object.keys(args).every((key) => userKeys.includes(key))).toBe(true);
    const byId = await backend.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_000007" });
    const listed = await backend.query(components.clerkUsers.users.list, { paginationOpts: { numItems: 100, cursor: null } });
    for (const row of [byId!, ...listed.page]) expect(Object.keys(row).every((key) => userKeys.includes(key))).toBe(true);
    expect(byId).toMatchObject({ firstName: "Grace" });
  });
});

describe("resumable", () => {
  test("a long resync continues in scheduled steps", async () => {
    const first = await t.action(variant("stepwise"), {});
    expect(first).toMatchObject({ state: "running", pagesDone: 1 });

    const done = await settled();
    expect(done).toMatchObject({ runId: first.runId, state: "completed", pagesDone: 4, counts: { user: { seen: 35 } } });
    expect(done.steps).toBeGreaterThanOrEqual(4);
    expect(await storedIds()).toEqual(listedIds());
  });

  test("the key is never stored, nor passed to a scheduled step", async () => {
    await t.action(variant("stepwise"), {});
    await settled();
    const scheduled = await t.run((ctx) => ctx.db.system.query("_scheduled_functions").collect());
    expect(scheduled.length).toBeGreaterThan(3);
    for (const job of scheduled) expect(Object.keys(job.args[0] as object).sort()).toEqual(expect.arrayContaining(["runId"]));
    const everything = JSON.stringify({ scheduled, stored: await stored(), status: await status() });
    expect(everything).not.toContain(SECRET_KEY);
    expect(everything).not.toContain(SECRET_KEY.slice(8));
  });

  test("a second call while a run is active returns its status and starts nothing", async () => {
    const running = await startRun("another-step", 60_000);
    const result = await t.action(variant("small"), {});
    expect(result).toMatchObject({ runId: running, state: "running", pagesDone: 0 });
    expect(api.log).toEqual([]);
  });

  test("a run whose step crashed after writing is taken over by the watchdog once stale, from its last committed page", async () => {
    // A step that committed one page, then died without handing over.
    const crashed = { status: { runId: await startRun("dead-step", 500) } };
    const firstPage = api.list().slice(0, 10);
    await t.mutation(components.clerkUsers.resync.advance, {
      runId: crashed.status.runId,
      lease: "dead-step",
      handback: { op: "list", offset: 0, limit: 10, listed: firstPage.map(listed), rows: { kind: "user", rows: [] }, invalid: [] },
      requests: 1,
      pageSize: 10,
    });
    // The watchdog's call (runId alone) leaves a run that wrote recently to its owner, and
    // looks again once that write is stale...
    expect(await t.action(variant("quickToResume"), { runId: crashed.status.runId })).toMatchObject({ state: "running", steps: 1 });
    expect(api.log).toEqual([]);

    // ...when it takes the run over and finishes it, from the last committed page.
    const resumed = await settled();
    expect(resumed).toMatchObject({ runId: crashed.status.runId, state: "completed", steps: 2, pagesDone: 4 });
    expect(api.log[0]!.offset).toBe(9);
    // The dead step's lease no longer writes.
    expect(await t.mutation(components.clerkUsers.resync.handOver, { runId: crashed.status.runId, lease: "dead-step", requests: 1 })).toBeNull();
  });

  test("a step that died before its page's span was judged: the next one judges it, then reconciles", async () => {
    await deliver(userEvent("user.created", clerkUser("user_ghost")));
    const crashed = { status: { runId: await startRun("dead-step", 500) } };
    // The whole listing in one page; its span ends with rows that have no creation time, left for later.
    const committed = await t.mutation(components.clerkUsers.resync.advance, {
      runId: crashed.status.runId,
      lease: "dead-step",
      handback: { op: "list", offset: 0, limit: 500, listed: api.list().map(listed), rows: { kind: "user", rows: [] }, invalid: [] },
      requests: 1,
    });
    expect(committed).toMatchObject({ next: { op: "judge" }, status: { phase: "listing" } });

    await new Promise((resolve) => setTimeout(resolve, 550));
    await t.action(variant("quickToResume"), { runId: crashed.status.runId });
    expect(await settled()).toMatchObject({ state: "completed", counts: { user: { removed: 1 } } });
    expect(await user("user_ghost")).toBeNull();
    expect(api.listRequests).toEqual([]);
  });

  test("a row a webhook writes after the listing started is no candidate: Clerk had it then, so nothing asks Clerk about it", async () => {
    const runId = await startRun("step", 60_000);
    // Signed up once the pass started: its webhook lands before the listing reaches its creation time.
    await deliver(userEvent("user.created", clerkUser("user_zz_newcomer", { created_at: Date.now(), updated_at: Date.now() })));
    let step = await t.mutation(components.clerkUsers.resync.advance, {
      runId,
      lease: "step",
      handback: { op: "list", offset: 0, limit: 500, listed: api.list().map(listed), rows: { kind: "user", rows: [] }, invalid: [] },
      requests: 1,
    });
    while (step?.next.op === "judge") {
      step = await t.mutation(components.clerkUsers.resync.advance, { runId, lease: "step", handback: { op: "judge" }, requests: 0 });
    }
    expect(step?.next).toEqual({ op: "done" });
    expect(step?.status).toMatchObject({ state: "completed", counts: { user: { removed: 0 } } });
    expect(await user("user_zz_newcomer")).not.toBeNull();
  });

  test("a new call takes a stale run over too", async () => {
    const crashed = await startRun("dead-step", 500);
    await new Promise((resolve) => setTimeout(resolve, 550));
    const resumed = await t.action(variant("quickToResume"), {});
    expect(resumed).toMatchObject({ runId: crashed, state: "completed" });
  });
});

describe("the webhook's ordering rules hold", () => {
  test("a resynced row never overwrites a newer webhook row", async () => {
    const newer = clerkUser("user_000003", { created_at: 1_700_000_003_000, first_name: "Webhook", updated_at: 1_790_000_000_000 });
    expect((await deliver(userEvent("user.updated", newer))).status).toBe(200);

    const result = await t.action(variant("small"), {});
    expect(await user("user_000003")).toMatchObject({ firstName: "Webhook", updatedAt: 1_790_000_000_000 });
    expect(result).toMatchObject({ counts: { user: { created: 34, unchanged: 1 } } });
    expect((await profiles()).find((p) => p.clerkId === "user_000003")?.versions).toBe(1);
  });

  test("a user on two pages (the overlap) counts once, stored or not", async () => {
    // Pages of 10 overlap at positions 9, 18 and 27: one tombstoned, one not storable, one stored.
    expect((await deliver(deletedEvent("user_000009"))).status).toBe(200);
    api.replaceRaw("user_000018", { ...clerkUser("user_000018", { created_at: 1_700_000_018_000 }), updated_at: "yesterday" });
    const result = await t.action(variant("small"), {});
    expect(result).toMatchObject({
      state: "completed",
      counts: { user: { seen: 35, created: 33, unchanged: 0, tombstoned: 1, invalid: 1, invalidIds: ["user_000018"] } },
    });
  });

  test("a tombstoned user is never resurrected", async () => {
    expect((await deliver(deletedEvent("user_000004"))).status).toBe(200);
    const result = await t.action(variant("small"), {});
    expect(await user("user_000004")).toBeNull();
    expect(result).toMatchObject({ counts: { user: { created: 34, tombstoned: 1 } } });
    expect((await profiles()).some((p) => p.clerkId === "user_000004")).toBe(false);
  });

  test("hooks fire only for real changes", async () => {
    await t.action(variant("small"), {});
    const again = await t.action(variant("small"), {});
    expect(again).toMatchObject({ state: "completed", counts: { user: { created: 0, updated: 0, unchanged: 35, removed: 0 } } });
    expect((await profiles()).every((p) => p.versions === 1)).toBe(true);

    api.update("user_000007", { first_name: "Grace", updated_at: 1_700_000_999_000 });
    const third = await t.action(variant("small"), {});
    expect(third).toMatchObject({ counts: { user: { created: 0, updated: 1, unchanged: 34 } } });
    const versions = Object.fromEntries((await profiles()).map((p) => [p.clerkId, p.versions]));
    expect(versions.user_000007).toBe(2);
    expect(Object.values(versions).filter((n) => n !== 1)).toEqual([2]);
  });
});

describe("a page's stored users are read by id range", () => {
  test("ids that do not sort by creation: every page still finds its rows and tombstones", async () => {
    // 35 users whose ids are shuffled against creation: each page of 10 spans nearly every id,
    // more rows than one range reads for it.
    const shuffled = Array.from({ length: 35 }, (_, i) => {
      const at = 1_700_000_000_000 + i;
      return clerkUser(`user_${String(10 + ((i * 13) % 35)).padStart(6, "0")}`, { created_at: at, updated_at: at });
    });
    api.remove(...listedIds());
    api.add(...shuffled);
    await deliver(deletedEvent("user_000020"));
    const createdAt = shuffled.find((u) => u.id === "user_000030")!.created_at;
    const newer = clerkUser("user_000030", { created_at: createdAt, first_name: "Webhook", updated_at: 1_790_000_000_000 });
    expect((await deliver(userEvent("user.updated", newer))).status).toBe(200);

    const first = await t.action(variant("small"), {});
    expect(first).toMatchObject({ state: "completed", counts: { user: { seen: 35, created: 33, unchanged: 1, tombstoned: 1 } } });
    api.update("user_000040", { first_name: "Grace", updated_at: 1_700_000_999_000 });
    const second = await t.action(variant("small"), {});
    expect(second).toMatchObject({ state: "completed", counts: { user: { seen: 35, created: 0, updated: 1, unchanged: 33, tombstoned: 1, removed: 0 } } });

    const ids = await storedIds();
    expect(ids).toEqual([...new Set(ids)]);
    expect(ids).toHaveLength(34);
    expect(ids).not.toContain("user_000020");
    expect(await user("user_000030")).toMatchObject({ firstName: "Webhook" });
    expect(await user("user_000040")).toMatchObject({ firstName: "Grace" });
    expect((await profiles()).map((p) => p.versions).sort()).toEqual([...Array(33).fill(1), 2]);
  });

  test("a page read past the listing's next offset is refused: it would leave a gap no continuity check sees", async () => {
    const runId = await startRun("step", 60_000);
    const page = api.list().slice(10, 20);
    await expect(
      t.mutation(components.clerkUsers.resync.advance, {
        runId,
        lease: "step",
        handback: { op: "list", offset: 10, limit: 10, listed: page.map(listed), rows: { kind: "user", rows: [] }, invalid: [] },
        requests: 1,
      }),
    ).rejects.toThrow(/past the listing's next offset/);
    expect(await status()).toMatchObject({ pagesDone: 0, requests: 0 });
  });

  test("a user twice in one batch is stored once, at its newest version", async () => {
    const runId = await startRun("step", 60_000);
    const users = [
      { clerkId: "user_a", updatedAt: 1, firstName: "Old" },
      { clerkId: "user_a", updatedAt: 2, firstName: "New" },
    ];
    const args = {
      runId,
      lease: "step",
      handback: {
        op: "list" as const,
        offset: 0,
        limit: 2,
        listed: [{ id: "user_a" }, { id: "user_a" }],
        rows: { kind: "user" as const, rows: users },
        invalid: [],
      },
      requests: 1,
    };
    expect((await t.mutation(components.clerkUsers.resync.advance, args))?.status).toMatchObject({ counts: { user: { created: 1, updated: 1 } } });
    expect((await stored()).users.filter((u) => u.clerkId === "user_a")).toHaveLength(1);
    expect(await user("user_a")).toMatchObject({ firstName: "New", updatedAt: 2 });
  });
});

describe("reconcile", () => {
  test("users no longer in Clerk are removed at the end of a complete pass, through onUserDeleted", async () => {
    await t.action(variant("small"), {});
    api.remove("user_000001", "user_000020", "user_000034");

    const result = await t.action(variant("small"), {});
    expect(result).toMatchObject({ state: "completed", counts: { user: { removed: 3 } } });
    expect(await storedIds()).toEqual(listedIds());
    expect((await profiles()).map((p) => p.clerkId).sort()).toEqual(listedIds());
    // Removed means tombstoned: a late event cannot bring the user back.
    await deliver(userEvent("user.updated", clerkUser("user_000020", { updated_at: 1_795_000_000_000 })));
    expect(await user("user_000020")).toBeNull();
    // Asked about by id before removal.
    expect(api.log.some((r) => r.userIds.includes("user_000020"))).toBe(true);
  });

  test("more users to re-check than one batch: reconcile pages through them all", async () => {
    api.add(...clerkUsers(1100 - 35, 35));
    await t.action(internal.clerk.resync, {});
    // Rows no pass has listed (webhook-only), and users Clerk then deletes, spanning batches.
    for (const id of ["user_ghost_a", "user_ghost_b"]) expect((await deliver(userEvent("user.created", clerkUser(id)))).status).toBe(200);
    api.remove(
      ...api
        .list()
        .slice(200, 800)
        .map((u) => u.id),
    );

    // 602 removals against 500 users still in Clerk: more than a pass removes unless allowed.
    const result = await t.action(variant("fullPagesMassRemoval"), {});
    expect(result).toMatchObject({ state: "completed", counts: { user: { seen: 500, unchanged: 500, removed: 602 } } });
    expect(await storedIds()).toEqual(listedIds());
    expect((await profiles()).map((p) => p.clerkId).sort()).toEqual(listedIds());
  }, 30_000); // 1,100 users through convex-test: a few seconds, more on a busy machine

  test("rows made by requireUser before the webhook landed are reconciled too: kept if Clerk lists them", async () => {
    // Provisional rows carry no creation time: the last page's span ends with them.
    for (const clerkId of ["user_000003", "user_signed_in_then_deleted"]) {
      await t.mutation(components.clerkUsers.sync.ensureUser, { user: { clerkId, updatedAt: 0, email: `${clerkId}@example.com` } });
    }
    const result = await t.action(variant("small"), {});
    expect(result).toMatchObject({ state: "completed", counts: { user: { removed: 1 } } });
    expect(await user("user_signed_in_then_deleted")).toBeNull();
    expect(await user("user_000003")).toMatchObject({ createdAt: 1_700_000_003_000, updatedAt: 1_700_000_003_000 });
    expect(await storedIds()).toEqual(listedIds());
  });

  test("a pass over unchanged users writes no row and fires no hook", async () => {
    await t.action(variant("small"), {});
    const before = await stored();
    const again = await t.action(variant("small"), {});
    expect(again).toMatchObject({ state: "completed", counts: { user: { created: 0, updated: 0, unchanged: 35, removed: 0 } } });
    // Same documents, field for field: no sighting or bookkeeping is written on the rows.
    expect((await stored()).users).toEqual(before.users);
    expect((await profiles()).every((p) => p.versions === 1)).toBe(true);
  });

  // Spans judged and candidates asked about 20 a transaction: 48 rows reach past two chunks.
  const CHUNK = 20;
  const STALE = 2 * CHUNK + 8;

  test("a span holding more rows than one transaction judges, many created in the same millisecond, is judged to the end", () =>
    withLimits({ resyncBatch: CHUNK }, async () => {
      // Rows of users Clerk no longer has, all created at one instant inside the listing's span
      // (an import, say): judging continues across chunks through rows tied on created_at.
      const at = 1_700_000_005_000;
      const stale = Array.from({ length: STALE }, (_, i) => ({ clerkId: `user_stale_${String(i).padStart(4, "0")}`, createdAt: at, updatedAt: at }));
      await t.mutation(testDump.seed, { rows: stale });

      const result = await t.action(variant("fullPagesMassRemoval"), {});
      expect(result).toMatchObject({ state: "completed", counts: { user: { created: 35, removed: STALE } } });
      expect(await storedIds()).toEqual(listedIds());
    }));

  test("judging a large span keeps to the step's time: the next step goes on with it", () =>
    withLimits({ resyncBatch: CHUNK }, async () => {
      const at = 1_700_000_005_000;
      const stale = Array.from({ length: STALE }, (_, i) => ({ clerkId: `user_stale_${String(i).padStart(4, "0")}`, createdAt: at, updatedAt: at }));
      await t.mutation(testDump.seed, { rows: stale });

      // Steps of no time at all: each does one page commit or one chunk of a span, then hands over.
      await t.action(variant("stepwise"), {});
      const done = await settled();
      expect(done).toMatchObject({ state: "completed", pagesDone: 4, counts: { user: { created: 35, removed: STALE } } });
      // Steps: page 1 and 20 of its span's 48 rows; 20 more; the last 8 and page 2; page 3;
      // page 4, whose span then ends with rows that have no creation time; those, and the
      // first 20 candidates re-checked; 20 more; the last 8. Judging the whole span in the
      // first step would have taken 6.
      expect(done.steps).toBe(8);
      expect(await storedIds()).toEqual(listedIds());
    }));

  test("a key of another Clerk instance removes no one: reconcile stops with TOO_MANY_REMOVALS", async () => {
    await t.action(variant("small"), {});
    // The development instance's key on production: Clerk answers with other users entirely.
    const ours = api.list();
    api.remove(...listedIds());
    api.add(...Array.from({ length: 20 }, (_, i) => clerkUser(`user_dev_${i}`, { created_at: 1_600_000_000_000 + i })));

    const error = await rejection(t.action(variant("small"), {}));
    expect(isResyncError(error, "TOO_MANY_REMOVALS")).toBe(true);
    expect((error as Error).message).toContain("CLERK_SECRET_KEY");
    expect(resyncLog("TOO_MANY_REMOVALS")).toEqual([expect.stringMatching(/before removing 35 users .* found only 0 of the stored users/)]);
    expect(await status()).toMatchObject({ state: "failed", phase: "reconciling", lastError: { code: "TOO_MANY_REMOVALS" }, counts: { user: { removed: 0 } } });
    expect((await stored()).tombstones).toEqual([]);
    for (const user of ours) expect(await storedIds()).toContain(user.id);

    // With the right key again, the failed run resumes: its candidates are all still in Clerk.
    api.remove(...listedIds());
    api.add(...ours);
    expect(await t.action(variant("small"), {})).toMatchObject({ state: "completed", counts: { user: { removed: 0 } } });
    for (const user of ours) expect(await storedIds()).toContain(user.id);
  });

  test("a real mass deletion is refused too, until a resync made with allowMassRemoval resumes the run", async () => {
    await t.action(variant("small"), {});
    api.remove(...listedIds().slice(0, 30));
    // 30 removals, and only 5 stored users still in Clerk.
    expect(isResyncError(await rejection(t.action(variant("small"), {})), "TOO_MANY_REMOVALS")).toBe(true);
    expect(resyncLog("TOO_MANY_REMOVALS")).toEqual([expect.stringMatching(/before removing 30 users .* found only 5 of the stored users/)]);
    expect(await storedIds()).toHaveLength(35);

    expect(await t.action(variant("massRemoval"), {})).toMatchObject({ state: "completed", counts: { user: { removed: 30 } } });
    expect(await storedIds()).toEqual(listedIds());
  });

  test("rows only a webhook wrote are reconciled too", async () => {
    await deliver(userEvent("user.created", clerkUser("user_ghost")));
    expect(await user("user_ghost")).not.toBeNull();
    const result = await t.action(variant("small"), {});
    expect(result.counts.user!.removed).toBe(1);
    expect(await user("user_ghost")).toBeNull();
  });

  test("a pass that did not complete removes nothing", async () => {
    await deliver(userEvent("user.created", clerkUser("user_ghost")));
    api.beforeRequest = ({ offset }) => (offset! >= 9 ? { status: 401 } : undefined);
    await rejection(t.action(variant("small"), {}));
    expect(resyncLog("UNAUTHORIZED")).toHaveLength(1);
    expect(await status()).toMatchObject({ state: "failed", pagesDone: 1, counts: { user: { removed: 0 } } });
    expect(await user("user_ghost")).not.toBeNull();

    api.beforeRequest = undefined;
    expect(await t.action(variant("small"), {})).toMatchObject({ state: "completed", counts: { user: { removed: 1 } } });
    expect(await user("user_ghost")).toBeNull();
  });

  test("a user the listing missed but Clerk still has is kept: absence is re-checked by id", async () => {
    await t.action(variant("small"), {});
    api.hiddenFromListing.add("user_000005");
    const result = await t.action(variant("small"), {});
    expect(result).toMatchObject({ state: "completed", counts: { user: { removed: 0 } } });
    expect(await user("user_000005")).not.toBeNull();
    expect(api.log.filter((r) => r.userIds.length > 0).map((r) => r.userIds)).toEqual([["user_000005"]]);
  });

  test("a user written by a webhook during the pass is kept", async () => {
    const late = clerkUser("user_late", { created_at: 1_600_000_000_000 });
    api.beforeRequest = async ({ index }) => {
      if (index !== 2) return;
      // Signs up mid-pass with a backdated created_at (e.g. an import), before the cursor,
      // and the webhook stores the row before the listing goes on.
      api.add(late);
      expect((await deliver(userEvent("user.created", late))).status).toBe(200);
    };
    const result = await t.action(variant("small"), {});
    expect(result.state).toBe("completed");
    expect(await user("user_late")).not.toBeNull();
    expect(result.counts.user!.removed).toBe(0);
  });

  test("users deleted in Clerk mid-pass make no one else skipped: pages that shifted are read again", async () => {
    await api.close();
    api = await startFakeClerkApi({ users: clerkUsers(50) });
    process.env.CLERK_API_URL = api.url;
    api.beforeRequest = ({ index }) => {
      // After two pages, three users of the first page are deleted: later users move down.
      if (index === 2) api.remove("user_000001", "user_000002", "user_000003");
    };
    const result = await t.action(variant("small"), {});
    expect(result.state).toBe("completed");
    const offsets = api.listRequests.map((r) => r.offset!);
    expect(offsets.some((offset, i) => i > 0 && offset < offsets[i - 1]!)).toBe(true); // Read again from further back.
    const ids = await storedIds();
    for (const id of listedIds()) expect(ids).toContain(id);
  });
});

describe("what Clerk sends", () => {
  test("a listed user that is not a storable Clerk user is counted and reported, not fatal", async () => {
    api.replaceRaw("user_000013", { ...clerkUser("user_000013", { created_at: 1_700_000_013_000 }), updated_at: "yesterday" });
    const result = await t.action(variant("small"), {});
    expect(result).toMatchObject({ state: "completed", counts: { user: { invalid: 1, invalidIds: ["user_000013"], created: 34, removed: 0 } } });
    expect(await user("user_000012")).not.toBeNull();
    expect(await user("user_000014")).not.toBeNull();
  });

  test("a 200 that is not a list of users stops with BAD_RESPONSE", async () => {
    api.failNext({ status: 200, body: { hello: "world" } });
    const error = await rejection(t.action(variant("small"), {}));
    expect(resyncLog("BAD_RESPONSE")).toEqual([expect.stringContaining("GET /v1/users answered 200 without a JSON list")]);
    expect(isResyncError(error, "BAD_RESPONSE")).toBe(true);
  });
});

describe("Convex's limits", () => {
  test("a page commit holds at most 500 users", async () => {
    const runId = await startRun("step", 60_000);
    const users = Array.from({ length: 501 }, (_, i) => ({ clerkId: `user_${i}`, updatedAt: 1 }));
    await expect(
      t.mutation(components.clerkUsers.resync.advance, {
        runId,
        lease: "step",
        handback: { op: "list", offset: 0, limit: 501, listed: users.map((u) => ({ id: u.clerkId })), rows: { kind: "user", rows: users }, invalid: [] },
        requests: 1,
      }),
    ).rejects.toThrow(/at most 500/);
  });

  test("a page's hook events are split into calls under Convex's argument limit", async () => {
    // 150 users at 60 KB of metadata each: 9 MB of events, over the 8 MiB one call may carry.
    api.remove(...listedIds());
    api.add(...clerkUsers(150).map((u) => ({ ...u, public_metadata: { notes: "x".repeat(60_000) } })));
    const sizes: number[] = [];
    const hooks = internalMutationGeneric({
      args: userHookArgs,
      handler: async (_ctx, { events }) => {
        sizes.push(events.length);
      },
    });
    const { run } = backendWith({ hooks }, (app) => ({ hooks: app.hooks }));
    expect(await run()).toMatchObject({ state: "completed", counts: { user: { created: 150 } } });
    expect(sizes.length).toBe(2);
    expect(sizes.reduce((a, b) => a + b)).toBe(150);
  });

  test("pageSize is capped at Clerk's 500, and is at least 2", () => {
    expect(() => makeResyncAction(components.clerkUsers, { pageSize: 501 })).toThrow(/2 to 500/);
    // Pages overlap by one user: a page of one would never move on.
    expect(() => makeResyncAction(components.clerkUsers, { pageSize: 1 })).toThrow(/2 to 500/);
  });
});

describe("a page's stored rows, read by range", () => {
  test("rows past a range read cut short by other rows are looked up alone: never taken as absent, never a second row", async () => {
    // Clerk has ten users. Their rows were made from tokens before any webhook (no creation
    // time, so no span holds them), and fifteen other rows sort between the first two ids: the
    // page's range read stops at twice the page's ids, short of the last five.
    api.remove(...listedIds());
    const ten = clerkUsers(10);
    api.add(...ten);
    const provisional = ten.map((u) => ({ clerkId: u.id, updatedAt: 0, provisional: true }));
    const between = Array.from({ length: 15 }, (_, i) => ({ clerkId: `${ten[0]!.id}_${String(i).padStart(2, "0")}`, updatedAt: 1, createdAt: 1 }));
    await t.mutation(testDump.seed, { rows: [...provisional, ...between] });
    expect(await t.action(variant("massRemoval"), {})).toMatchObject({ state: "completed", counts: { user: { created: 10, removed: 15 } } });
    const rows = (await stored()).users;
    expect(rows.map((u) => u.clerkId).sort()).toEqual(ten.map((u) => u.id));
    for (const u of ten) expect(await user(u.id)).toMatchObject({ clerkId: u.id, updatedAt: u.updated_at });
  });
});
