/**
 * `onEvent`: every verified event the package does not sync reaches the app's hooks mutation,
 * once per svix id, through the same endpoint and secret; synced events never do. Driven through
 * the webhook with signed deliveries, as Clerk sends them.
 */
import type { WebhookEvent } from "@clerk/backend";
import * as kit from "convex-clerk-users/test";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { components } from "../example/convex/_generated/api";
import { PRUNE_BATCH } from "../src/component/prune";
import { HOUR_MS } from "../src/shared/health";
import { clerkMembership, clerkOrganization, clerkUser, membershipEvent, organizationEvent, sign, userEvent } from "./fixtures/clerk";
import { captureLogs } from "./fixtures/logs";
import { onEventApp, refs, setupOnEvent, testOnly } from "./fixtures/onEvent";
import { post, type TestBackend } from "./setup";

const logs = captureLogs();
const T0 = 1_700_000_000_000;
const DAY_MS = 24 * HOUR_MS;

/** A Clerk event of any type, as Clerk sends it (the test kit's envelope). */
const event = (type: string, data: Record<string, unknown>) => kit.clerkEvent(type, data, T0) as unknown as WebhookEvent;
const sessionCreated = (id = "sess_1") =>
  event("session.created", { object: "session", id, user_id: "user_1", client_id: "client_1", status: "active", created_at: T0, updated_at: T0 });
const emailCreated = event("email.created", {
  object: "email",
  id: "ema_1",
  to_email_address: "ada@example.com",
  subject: "Your code",
  body: "<p>123456</p>",
  slug: "verification_code",
  delivered_by_clerk: false,
  status: "queued",
});

const answer = async (res: Response) => ({ status: res.status, body: await res.json() });
const health = (t: TestBackend) => t.query(components.clerkUsers.health.status, {});
const handledIds = (t: TestBackend) => t.query(testOnly.handledIds, {});
const profiles = (t: TestBackend) => t.run((ctx) => ctx.db.query("profiles").collect());

describe("onEvent receives what the package does not sync", () => {
  let t: TestBackend;
  beforeEach(() => {
    t = setupOnEvent(refs.withOnEvent());
  });

  test("once per svix id: a redelivery is answered 200 without a second call", async () => {
    const delivery = sign(sessionCreated(), { id: "msg_session" });
    expect(await answer(await post(t, delivery))).toEqual({ status: 200, body: { outcome: "handled" } });
    expect(await answer(await post(t, delivery))).toEqual({ status: 200, body: { outcome: "duplicate" } });
    expect(onEventApp.calls).toEqual([{ event: sessionCreated(), svixId: "msg_session" }]);
    expect(await handledIds(t)).toEqual(["msg_session"]);
    // The same event under another svix id is another delivery: Clerk sent it twice.
    await post(t, sign(sessionCreated(), { id: "msg_session_again" }));
    expect(onEventApp.calls.map((call) => call.svixId)).toEqual(["msg_session", "msg_session_again"]);
    expect(await health(t)).toMatchObject({ verdict: "ok", lastHour: { applied: 2, duplicate: 1, ignored: 0 } });
  });

  test("each type the package does not sync, and one Clerk adds later, as Clerk sent it", async () => {
    const others = [
      sessionCreated(),
      event("session.ended", { object: "session", id: "sess_1", status: "ended" }),
      emailCreated,
      event("sms.created", { object: "sms_message", id: "sms_1", to_phone_number: "+15555550100", message: "123456" }),
      event("role.created", { object: "role", id: "role_1", key: "org:editor" }),
      event("permission.deleted", { object: "permission", id: "perm_1", deleted: true }),
      event("organizationDomain.created", { object: "organization_domain", id: "orgdmn_1", name: "example.com" }),
      event("waitlistEntry.created", { object: "waitlist_entry", id: "wle_1", email_address: "ada@example.com" }),
      // A type Clerk adds later, with keys no Convex value can hold: it arrives as it was sent.
      event("agent.created", { object: "agent", id: "agt_1", metadata: { $set: 1, _private: true, "": "empty key" } }),
    ];
    for (const other of others) expect(await answer(await post(t, sign(other)))).toEqual({ status: 200, body: { outcome: "handled" } });
    expect(onEventApp.calls.map((call) => call.event)).toEqual(others);
  });

  test("synced events never reach it: they keep their own hooks, and remember no id", async () => {
    const user = clerkUser("user_1");
    const org = clerkOrganization("org_1");
    for (const synced of [
      userEvent("user.created", user),
      organizationEvent("organization.created", org),
      membershipEvent("organizationMembership.created", clerkMembership("orgmem_1", "org_1", "user_1")),
    ]) {
      expect((await answer(await post(t, sign(synced)))).status).toBe(200);
    }
    expect(onEventApp.hooks).toEqual(["onUserCreated", "onOrganizationCreated", "onMembershipCreated"]);
    expect(onEventApp.calls).toEqual([]);
    expect(await handledIds(t)).toEqual([]);
  });

  test("if it throws: 500 with no detail, nothing it wrote kept, no id remembered, counted failed with the type; the retry calls it once", async () => {
    onEventApp.failing = "session.created";
    const delivery = sign(sessionCreated(), { id: "msg_throws" });
    const failed = await answer(await post(t, delivery));
    expect(failed).toEqual({ status: 500, body: { error: "Handling the event failed; it was rolled back and Clerk will retry it." } });
    expect(JSON.stringify(failed)).not.toMatch(/secret detail/);
    expect(logs.take(/onEvent failed on session.created, Clerk will retry/)).toHaveLength(1);
    expect(await profiles(t)).toEqual([]);
    expect(await handledIds(t)).toEqual([]);
    const failing = await health(t);
    expect(failing).toMatchObject({
      verdict: "failing",
      lastHour: { failed: 1, applied: 0 },
      lastFailure: { status: 500, reason: "onEventFailed", svixId: "msg_throws", eventType: "session.created" },
    });
    expect(failing.advice).toMatch(/onEvent hook threw/);

    // Fixed: Svix's next retry of the same message reaches onEvent, once.
    onEventApp.failing = null;
    onEventApp.calls.length = 0;
    expect(await answer(await post(t, delivery))).toEqual({ status: 200, body: { outcome: "handled" } });
    expect(await answer(await post(t, delivery))).toEqual({ status: 200, body: { outcome: "duplicate" } });
    expect(onEventApp.calls).toHaveLength(1);
    expect(await profiles(t)).toMatchObject([{ clerkId: "msg_throws", displayName: "session.created" }]);
    expect(await health(t)).toMatchObject({ verdict: "ok", openFailures: [] });
  });
});

describe("an app without onEvent keeps the old behaviour", () => {
  test("no hooks: 200 ignored, nothing remembered", async () => {
    const t = setupOnEvent(undefined);
    expect(await answer(await post(t, sign(sessionCreated())))).toEqual({ status: 200, body: { outcome: "ignored" } });
    expect(await handledIds(t)).toEqual([]);
    expect(await health(t)).toMatchObject({ lastHour: { ignored: 1, applied: 0 } });
  });

  test("hooks without onEvent: 200 ignored, nothing remembered, the change hooks as before", async () => {
    const t = setupOnEvent(refs.withoutOnEvent());
    for (let i = 0; i < 3; i++) expect(await answer(await post(t, sign(sessionCreated())))).toEqual({ status: 200, body: { outcome: "ignored" } });
    await post(t, sign(userEvent("user.created", clerkUser("user_1"))));
    expect(onEventApp.hooks).toEqual(["onUserCreated"]);
    expect(await handledIds(t)).toEqual([]);
    expect(await health(t)).toMatchObject({ lastHour: { ignored: 3, applied: 1 } });
  });

  test("a hooks mutation that answers null (it takes no events) is asked once, not once per event", async () => {
    const t = setupOnEvent(refs.handWritten());
    for (let i = 0; i < 3; i++) expect(await answer(await post(t, sign(sessionCreated())))).toEqual({ status: 200, body: { outcome: "ignored" } });
    expect(onEventApp.counted).toHaveLength(1);
    expect(await handledIds(t)).toEqual([]);
  });
});

test("a hand-written hooks mutation (hookArgs) gets { source, events: [], event: { svixId, body } }, and is remembered when it answers handled", async () => {
  const t = setupOnEvent(refs.handWritten());
  onEventApp.answer = "handled";
  const delivery = sign(emailCreated, { id: "msg_email" });
  expect(await answer(await post(t, delivery))).toEqual({ status: 200, body: { outcome: "handled" } });
  expect(await answer(await post(t, delivery))).toEqual({ status: 200, body: { outcome: "duplicate" } });
  expect(onEventApp.counted).toEqual([{ source: "webhook", events: [], event: { svixId: "msg_email", body: delivery.body } }]);
});

describe("remembered ids are pruned", () => {
  const START = Date.UTC(2025, 0, 6, 9, 0);
  beforeEach(() => {
    vi.useFakeTimers({ now: START });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Lets `ms` pass on the fake clock, an hour at a time, running what comes due on the way. */
  async function pass(t: TestBackend, ms: number) {
    for (let left = ms; left > 0; left -= HOUR_MS) {
      vi.advanceTimersByTime(Math.min(HOUR_MS, left));
      await t.finishInProgressScheduledFunctions();
    }
  }

  test("remembered for 3 days: a replay within them is a duplicate", async () => {
    const t = setupOnEvent(refs.withOnEvent());
    await post(t, sign(sessionCreated(), { id: "msg_kept" }));
    await pass(t, 3 * DAY_MS - HOUR_MS);
    // Signed again now, as a replay from Clerk's dashboard is: the same message id.
    expect(await answer(await post(t, sign(sessionCreated(), { id: "msg_kept" })))).toEqual({ status: 200, body: { outcome: "duplicate" } });
    expect(onEventApp.calls).toHaveLength(1);
  });

  test("forgotten after them, with no other delivery to wake the pruning: a replay then reaches onEvent again", async () => {
    const t = setupOnEvent(refs.withOnEvent());
    await post(t, sign(sessionCreated(), { id: "msg_kept" }));
    await pass(t, 3 * DAY_MS - HOUR_MS);
    expect(await handledIds(t)).toEqual(["msg_kept"]);
    await pass(t, 2 * HOUR_MS);
    expect(await handledIds(t)).toEqual([]);
    expect(await answer(await post(t, sign(sessionCreated(), { id: "msg_kept" })))).toEqual({ status: 200, body: { outcome: "handled" } });
    expect(onEventApp.calls).toHaveLength(2);
  });

  test("in bounded batches: a run forgets at most PRUNE_BATCH ids, and runs again until none is left", async () => {
    const t = setupOnEvent(refs.withOnEvent());
    await t.mutation(testOnly.remember, { count: PRUNE_BATCH * 2 + 10, at: START });
    vi.advanceTimersByTime(3 * DAY_MS + 1);
    expect((await t.mutation(testOnly.prune, {})).handled).toBe(PRUNE_BATCH);
    expect(await handledIds(t)).toHaveLength(PRUNE_BATCH + 10);
    // A full batch schedules the next run at once.
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    expect(await handledIds(t)).toEqual([]);
  });
});
