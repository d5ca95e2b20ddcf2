/**
 * "Is my webhook working?" through the endpoint: deliveries signed with svix and posted with
 * `t.fetch`, then the answer of `health.status` (and of the example's `clerk.webhookHealth` and
 * its admin-only `clerk.health`), for every verdict.
 */
import { httpRouter, queryGeneric, type FunctionReference } from "convex/server";
import { convexTest } from "convex-test";
import { defineClerkHooks, registerRoutes, type ClerkHooksMutation } from "convex-clerk-users";
import clerkUsersTest from "convex-clerk-users/test";
import { makeFunctionReference } from "convex/server";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import schema from "../example/convex/schema";
import { components, internal } from "../example/convex/_generated/api";
import { internalMutation } from "../example/convex/_generated/server";
import { FOLD_EVERY_MS, REJECTIONS_SHARD, SHARDS, WAKE_PRUNING_EVERY_MS, type HealthStatus } from "../src/shared/health";
import {
  clerkMembership,
  clerkOrganization,
  clerkUser,
  deletedEvent,
  membershipEvent,
  organizationEvent,
  sign,
  userEvent,
  WEBHOOK_SECRET,
} from "./fixtures/clerk";
import { captureLogs } from "./fixtures/logs";
import { api, appModules, post, type TestBackend } from "./setup";

const logs = captureLogs();
const SIGNATURE_FAILED = /^convex-clerk-users webhook: 401 Signature verification failed/;

const OTHER_SECRET = "whsec_" + Buffer.from("somebody-elses-signing-key!!").toString("base64");
const min = 60_000;

/** Everything the component keeps about health (test-only component query). */
const dumpHealth = queryGeneric({
  args: {},
  handler: async (ctx) => ({
    hours: await ctx.db.query("webhookHealth").collect(),
    deliveries: await ctx.db.query("webhookDeliveries").collect(),
    pruneState: await ctx.db.query("pruneState").collect(),
  }),
});
const dumpRef = (components.clerkUsers as unknown as { testHealth: { dump: FunctionReference<"query", "internal"> } }).testHealth.dump;

/** A hook that throws while `failing` is set: what a bug in the app's hook looks like. */
let failing = false;
const throwingHooks = {
  clerkHooks: defineClerkHooks(internalMutation, {
    onUserCreated: async () => {
      if (failing) throw new Error("onUserCreated: cannot read field 'plan'");
    },
  }),
};
const hooksRef = makeFunctionReference<"mutation">("throwingHooks:clerkHooks") as unknown as ClerkHooksMutation;

/** The example app with the component, its test-only dump, and optionally a router whose hooks can throw. */
function backend(options: { throwingHooks?: boolean } = {}) {
  process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
  const modules: Record<string, () => Promise<unknown>> = { ...appModules };
  if (options.throwingHooks) {
    const http = httpRouter();
    registerRoutes(http, components.clerkUsers, { hooks: hooksRef });
    modules["../example/convex/http.ts"] = async () => ({ default: http });
    modules["../example/convex/throwingHooks.ts"] = async () => throwingHooks;
  }
  const t = convexTest(schema, modules);
  t.registerComponent("clerkUsers", clerkUsersTest.schema, { ...clerkUsersTest.modules, "./component/testHealth.ts": async () => ({ dump: dumpHealth }) });
  return t;
}

const status = (t: TestBackend): Promise<HealthStatus> => t.query(components.clerkUsers.health.status, {});
const dump = (t: TestBackend) =>
  t.query(dumpRef, {}) as Promise<{ hours: { shard: number; hourStart: number }[]; deliveries: unknown[]; pruneState: unknown[] }>;
const send = (t: TestBackend, event: object, options: { secret?: string; id?: string } = {}) => post(t, sign(event, options));
const created = (id: string, updatedAt = 1_700_000_000_000) => userEvent("user.created", clerkUser(id, { updated_at: updatedAt }));

let t: TestBackend;
beforeEach(() => {
  failing = false;
  t = backend();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("each verdict, reached through the endpoint", () => {
  test("noDeliveriesYet: a fresh deployment; the advice says to add the endpoint", async () => {
    const health = await status(t);
    expect(health).toMatchObject({
      verdict: "noDeliveriesYet",
      lastDeliveryAt: null,
      lastAppliedAt: null,
      lastRejection: null,
      lastFailure: null,
      usersWaiting: 0,
      lastResync: null,
    });
    expect(health.advice).toMatch(/clerk-users-webhook/);
    expect(await t.query(internal.clerk.webhookHealth, {})).toMatchObject({ verdict: "noDeliveriesYet" });
  });

  test("ok: every outcome counted for the last hour and day (applied, duplicate, stale, ignored)", async () => {
    const first = sign(created("user_1", 2_000));
    expect((await post(t, first)).status).toBe(200);
    expect((await post(t, first)).status).toBe(200); // Svix's retry: same svix id
    await send(t, userEvent("user.updated", clerkUser("user_1", { updated_at: 1_000 }))); // older: stale
    await send(t, deletedEvent("user_gone"));
    await send(t, created("user_gone", 3_000)); // after its delete: stale
    await send(t, { type: "session.created", object: "event", data: { id: "sess_1" } }); // not handled: ignored
    const health = await status(t);
    const counts = { applied: 2, duplicate: 1, stale: 2, ignored: 1, failed: 0, rejected: {} };
    expect(health).toMatchObject({ verdict: "ok", lastHour: counts, last24Hours: counts, lastRejection: null, lastFailure: null, openFailures: [] });
    expect(health.lastDeliveryAt).toBeGreaterThanOrEqual(health.lastAppliedAt!);
  });

  test("rejecting: deliveries signed with another secret (a rotated one), then the right one again", async () => {
    await send(t, created("user_1"));
    const wrong = sign(created("user_2"), { secret: OTHER_SECRET, id: "msg_rotated_1" });
    expect((await post(t, wrong)).status).toBe(401);
    expect(logs.take(SIGNATURE_FAILED)).toHaveLength(1);
    let health = await status(t);
    expect(health).toMatchObject({
      verdict: "rejecting",
      lastRejection: { status: 401, reason: "badSignature", svixId: "msg_rotated_1" },
      lastHour: { applied: 1, rejected: { "401": 1 } },
    });
    expect(health.advice).toMatch(/CLERK_WEBHOOK_SECRET is not this endpoint's signing secret/);
    // The secret fixed, Svix's next retry verifies: ok again, the rejection kept for the record.
    vi.useFakeTimers({ now: Date.now() + 2_000 });
    expect((await post(t, sign(created("user_2"), { id: "msg_rotated_1" }))).status).toBe(200);
    health = await status(t);
    expect(health).toMatchObject({ verdict: "ok", lastRejection: { svixId: "msg_rotated_1" } });
  });

  test("rejecting: a scanner's requests (no svix headers, too large) after a bad signature do not clear it; a verified delivery does", async () => {
    const warned = vi.spyOn(console, "warn").mockImplementation(() => {});
    vi.useFakeTimers({ now: Date.now() });
    await send(t, created("user_1"));
    vi.advanceTimersByTime(1_000);
    expect((await post(t, sign(created("user_2"), { secret: OTHER_SECRET, id: "msg_rotated_1" }))).status).toBe(401);
    // Seconds later, past the one-a-second bound on recorded rejections: a probe and an oversized body.
    vi.advanceTimersByTime(2_000);
    expect((await post(t, { body: "{}", headers: { "content-type": "application/json" } })).status).toBe(400);
    vi.advanceTimersByTime(2_000);
    expect((await post(t, sign("x".repeat(600 * 1024)))).status).toBe(413);
    let health = await status(t);
    expect(health).toMatchObject({
      verdict: "rejecting",
      lastRejection: { status: 413, reason: "tooLarge" },
      lastVerificationRejection: { status: 401, reason: "badSignature", svixId: "msg_rotated_1" },
      lastHour: { rejected: { "400": 1, "401": 1, "413": 1 } },
    });
    expect(health.advice).toMatch(/CLERK_WEBHOOK_SECRET is not this endpoint's signing secret/);
    expect(warned.mock.calls.map(([line]) => String(line))).toEqual([
      expect.stringMatching(/401 Signature verification failed/),
      expect.stringMatching(/400 Missing headers: svix-id, svix-timestamp, svix-signature/),
      expect.stringMatching(/413 Body too large/),
    ]);
    // The secret fixed, Svix's retry verifies: ok.
    vi.advanceTimersByTime(2_000);
    expect((await post(t, sign(created("user_2"), { id: "msg_rotated_1" }))).status).toBe(200);
    health = await status(t);
    expect(health).toMatchObject({ verdict: "ok", lastVerificationRejection: { svixId: "msg_rotated_1" } });
  });

  test("misconfigured: no secret in the deployment (500), with the advice to set it", async () => {
    delete process.env.CLERK_WEBHOOK_SECRET;
    delete process.env.CLERK_WEBHOOK_SIGNING_SECRET;
    expect((await send(t, created("user_1"))).status).toBe(500);
    expect(logs.take(/^convex-clerk-users webhook: 500 .*CLERK_WEBHOOK_SECRET/)).toHaveLength(1);
    const health = await status(t);
    expect(health).toMatchObject({ verdict: "misconfigured", lastRejection: { status: 500, reason: "noSecret" }, lastHour: { rejected: { "500": 1 } } });
    expect(health.advice).toMatch(/set CLERK_WEBHOOK_SECRET/);
  });

  test("failing: a hook throws on a verified delivery; the retry after the fix clears it", async () => {
    t = backend({ throwingHooks: true });
    failing = true;
    const delivery = sign(created("user_1"), { id: "msg_hook_bug" });
    expect((await post(t, delivery)).status).toBe(500);
    expect(logs.take(/^convex-clerk-users webhook: applying the event failed, Clerk will retry/)).toHaveLength(1);
    await send(t, deletedEvent("user_2")); // other deliveries still apply
    let health = await status(t);
    expect(health).toMatchObject({
      verdict: "failing",
      lastFailure: { status: 500, reason: "applyFailed", svixId: "msg_hook_bug" },
      openFailures: [{ svixId: "msg_hook_bug" }],
      lastHour: { applied: 1, failed: 1 },
    });
    expect(health.advice).toMatch(/hook that throws/);
    failing = false;
    expect((await post(t, delivery)).status).toBe(200);
    health = await status(t);
    expect(health).toMatchObject({ verdict: "ok", openFailures: [], lastFailure: { svixId: "msg_hook_bug" }, lastHour: { applied: 2, failed: 1 } });
  });

  test("failing: a verified body that is not a Clerk event (400)", async () => {
    expect((await send(t, { type: "user.created", object: "event", data: { id: "" } }, { id: "msg_bad_body" })).status).toBe(400);
    expect(logs.take(/^convex-clerk-users webhook: 400 user.created payload is not a Clerk user/)).toHaveLength(1);
    expect(await status(t)).toMatchObject({ verdict: "failing", lastFailure: { status: 400, reason: "badPayload", svixId: "msg_bad_body" } });
  });

  test("silent: a user signed in (a provisional row) and no webhook came for 10 minutes; it arrives: ok", async () => {
    vi.useFakeTimers({ now: Date.UTC(2025, 0, 6, 9, 0) });
    await send(t, created("user_1")); // the endpoint worked once
    const signedIn = t.withIdentity({ subject: "user_new", name: "New User", email: "new@example.com" });
    await signedIn.mutation(api.messages.post, { body: "first!" }); // createIfMissing: a provisional row
    expect((await status(t)).verdict).toBe("ok"); // Clerk delivers in seconds: not yet
    vi.advanceTimersByTime(11 * min);
    const health = await status(t);
    expect(health).toMatchObject({ verdict: "silent", usersWaiting: 1 });
    expect(health.advice).toMatch(/user\.\* subscriptions/);
    await send(t, created("user_new"));
    expect(await status(t)).toMatchObject({ verdict: "ok", usersWaiting: 0 });
  });
});

describe("billing: silent when items outlive their period with no billing event", () => {
  const day = 24 * 60 * min;
  /** A standalone `subscriptionItem.*` delivery, in the shape of Clerk's webhook spec. */
  const itemEvent = (status: string, fields: { updatedAt: number; periodEnd: number | null }) => ({
    type: `subscriptionItem.${status}`,
    object: "event",
    data: {
      object: "subscription_item",
      id: fields.periodEnd === null ? "csub_item_free" : "csub_item_pro",
      status,
      is_free_trial: false,
      created_at: Date.UTC(2025, 0, 1),
      updated_at: fields.updatedAt,
      period_start: Date.UTC(2025, 0, 1),
      period_end: fields.periodEnd,
      interval: "month",
      plan_id: "cplan_1",
      plan: { id: "cplan_1", slug: fields.periodEnd === null ? "free" : "pro", name: "Plan", is_recurring: true, amount: 2000, currency: "USD" },
      payer: {
        object: "commerce_payer",
        id: "cpayer_1",
        user_id: "user_1",
        organization_id: "",
        organization_name: "",
        image_url: "",
        first_name: "",
        last_name: "",
        email: "",
      },
      subscription_id: "csub_1",
    },
  });

  test("an active paid item a day past its period end is silent, naming the billing subscriptions; its renewal clears it", async () => {
    const start = Date.UTC(2025, 1, 1);
    vi.useFakeTimers({ now: start });
    await send(t, itemEvent("active", { updatedAt: start, periodEnd: start + 3 * day }));
    await send(t, itemEvent("active", { updatedAt: start, periodEnd: null }));
    expect((await status(t)).verdict).toBe("ok");
    vi.advanceTimersByTime(3 * day + 12 * 60 * min); // the period ended 12 hours ago: Clerk may still be renewing it
    expect((await status(t)).verdict).toBe("ok");
    vi.advanceTimersByTime(day);
    const health = await status(t);
    expect(health).toMatchObject({ verdict: "silent", billingOverdue: 1 });
    expect(health.advice).toMatch(/subscription\.\*, subscriptionItem\.\* and paymentAttempt\.\*/);
    await send(t, itemEvent("active", { updatedAt: Date.now(), periodEnd: Date.now() + 30 * day }));
    expect(await status(t)).toMatchObject({ verdict: "ok", billingOverdue: 0 });
  });

  test("a past-due item keeps its period end while Clerk retries: not overdue", async () => {
    const start = Date.UTC(2025, 1, 1);
    vi.useFakeTimers({ now: start });
    await send(t, itemEvent("past_due", { updatedAt: start, periodEnd: start - 5 * day }));
    expect(await status(t)).toMatchObject({ verdict: "ok", billingOverdue: 0 });
  });
});

describe("organizations and memberships count the same way", () => {
  test("organization and membership deliveries: applied, duplicate, stale, and a forged one rejected", async () => {
    const org = clerkOrganization("org_1", { updated_at: 2_000 });
    const membership = membershipEvent(
      "organizationMembership.created",
      clerkMembership("orgmem_1", "org_1", "user_1", { organization: org, updated_at: 2_000 }),
    );
    await send(t, organizationEvent("organization.created", org));
    const delivery = sign(membership);
    await post(t, delivery);
    await post(t, delivery); // retried
    await send(t, organizationEvent("organization.updated", clerkOrganization("org_1", { updated_at: 1_000 }))); // late
    await send(t, membershipEvent("organizationMembership.deleted", clerkMembership("orgmem_1", "org_1", "user_1", { organization: org, updated_at: 3_000 })));
    expect((await send(t, membership, { secret: OTHER_SECRET })).status).toBe(401);
    expect(logs.take(SIGNATURE_FAILED)).toHaveLength(1);
    await send(t, organizationEvent("organization.updated", clerkOrganization("org_1", { updated_at: 4_000 })));
    expect(await status(t)).toMatchObject({ verdict: "ok", lastHour: { applied: 4, duplicate: 1, stale: 1, rejected: { "401": 1 } } });
  });
});

describe("what it costs and what it keeps", () => {
  test("a flood of forged requests writes at most one rejection a second, in one document, and never slows or changes a real delivery", async () => {
    const start = Date.UTC(2025, 0, 6, 9, 0);
    vi.useFakeTimers({ now: start });
    const FORGED = 400;
    const STEP_MS = 10; // 100 requests a second, for 4 seconds
    let real = 0;
    for (let i = 0; i < FORGED; i++) {
      const res = await send(t, created(`user_forged_${i}`), { secret: OTHER_SECRET });
      expect(res.status).toBe(401);
      if (i % 50 === 0) {
        // Real deliveries in the middle of the flood: verified, applied, answered as ever.
        expect(await (await send(t, created(`user_real_${real++}`))).json()).toEqual({ outcome: "created" });
      }
      vi.advanceTimersByTime(STEP_MS);
    }
    expect(logs.take(SIGNATURE_FAILED)).toHaveLength(FORGED); // each refusal is logged, though at most one a second is stored
    const elapsedS = (FORGED * STEP_MS) / 1000;
    const health = await status(t);
    const recorded = health.lastHour.rejected["401"]!;
    const { hours } = await dump(t);
    const rejectionDocs = hours.filter((w) => w.shard === REJECTIONS_SHARD).length;
    console.log(
      `flood: ${FORGED} forged requests over ${elapsedS} s -> ${recorded} rejection writes (bound: one a second, ${Math.ceil(elapsedS) + 1}), ${rejectionDocs} document; ${real} real deliveries applied among them`,
    );
    expect(recorded).toBeLessThanOrEqual(Math.ceil(elapsedS) + 1);
    expect(recorded).toBeGreaterThanOrEqual(Math.floor(elapsedS));
    expect(rejectionDocs).toBe(1);
    expect(health.lastHour.applied).toBe(real);
    // Verified deliveries kept arriving after the last recorded rejection: forgeries among real
    // deliveries are not a wrong secret.
    expect(health.verdict).toBe("ok");
  });

  test("a record per delivery, folded by pruning into at most one hour per shard per hour; the counts the same before and after", async () => {
    // Before the other tests' clocks: the webhook, whose memory outlives a test, asks for a pruning run again.
    vi.useFakeTimers({ now: Date.UTC(2024, 0, 1, 9, 0) });
    const DELIVERIES = 200;
    for (let i = 0; i < DELIVERIES; i++) await send(t, created(`user_${i}`));
    let { hours, deliveries } = await dump(t);
    expect(deliveries).toHaveLength(DELIVERIES);
    expect((await status(t)).lastHour.applied).toBe(DELIVERIES);
    // The webhook asked for a pruning run an hour on: it folds the records and deletes them.
    vi.advanceTimersByTime(WAKE_PRUNING_EVERY_MS);
    await t.finishInProgressScheduledFunctions();
    ({ hours, deliveries } = await dump(t));
    console.log(`storage: ${DELIVERIES} deliveries in one hour -> ${hours.length} health documents once folded (at most ${SHARDS} shards)`);
    expect(deliveries).toEqual([]);
    expect(hours.length).toBeLessThanOrEqual(SHARDS);
    expect(hours.length).toBeGreaterThan(SHARDS / 2);
    expect((await status(t)).last24Hours.applied).toBe(DELIVERIES);
    for (let i = 0; i < DELIVERIES; i++) await send(t, userEvent("user.updated", clerkUser(`user_${i}`, { updated_at: 1_700_000_001_000 })));
    expect((await status(t)).last24Hours.applied).toBe(2 * DELIVERIES); // half folded, half not yet
    vi.advanceTimersByTime(FOLD_EVERY_MS);
    await t.finishInProgressScheduledFunctions();
    ({ hours, deliveries } = await dump(t));
    expect(deliveries).toEqual([]);
    expect(hours.length).toBeLessThanOrEqual(2 * SHARDS);
    expect((await status(t)).last24Hours.applied).toBe(2 * DELIVERIES);
  });

  test("never stores a body, a field of it, or a secret", async () => {
    const user = clerkUser("user_secretive", { email: "ada@secret.example", first_name: "Augusta", private_metadata: { stripeCustomerId: "cus_topsecret" } });
    await send(t, userEvent("user.created", user));
    await send(t, userEvent("user.created", user), { secret: OTHER_SECRET });
    await send(t, { type: "user.created", object: "event", data: { id: "user_bad", first_name: "Mallory" } }, { id: "msg_malformed" });
    await post(t, {
      body: JSON.stringify(userEvent("user.created", user)),
      headers: { "svix-id": "<img src=x>", "svix-timestamp": "1", "svix-signature": "v1,AAAA" },
    });
    const logged = logs.take(/^convex-clerk-users webhook: 40[01] /);
    expect(logged).toHaveLength(3); // the forged body, the malformed one, the bad timestamp
    const stored = JSON.stringify([await dump(t), await status(t), logged]);
    for (const secret of [
      "user_secretive",
      "user_bad",
      "ada@secret.example",
      "Augusta",
      "Mallory",
      "cus_topsecret",
      "Lovelace",
      "<img",
      WEBHOOK_SECRET,
      OTHER_SECRET,
      WEBHOOK_SECRET.slice(6),
      OTHER_SECRET.slice(6),
    ]) {
      expect(stored).not.toContain(secret);
    }
  });
});

describe("the example's page", () => {
  test("shows the status to an org admin of the active organization, and refuses a member", async () => {
    const org = clerkOrganization("org_acme");
    await send(
      t,
      membershipEvent("organizationMembership.created", clerkMembership("orgmem_admin", "org_acme", "user_admin", { organization: org, role: "org:admin" })),
    );
    await send(t, membershipEvent("organizationMembership.created", clerkMembership("orgmem_member", "org_acme", "user_member", { organization: org })));
    const admin = t.withIdentity({ subject: "user_admin", v: 2, o: { id: "org_acme", rol: "admin", slg: "acme" } } as never);
    const member = t.withIdentity({ subject: "user_member", v: 2, o: { id: "org_acme", rol: "member", slg: "acme" } } as never);
    expect(await admin.query(api.clerk.health, {})).toMatchObject({ verdict: "ok", lastHour: { applied: 2 } });
    await expect(member.query(api.clerk.health, {})).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await expect(t.query(api.clerk.health, {})).rejects.toMatchObject({ data: { code: "UNAUTHENTICATED" } });
  });
});
