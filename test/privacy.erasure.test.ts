import { deliver, userDeleted } from "convex-clerk-users/test";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { components } from "../example/convex/_generated/api";
import { withLimits } from "../src/component/limits";
import { captureLogs } from "./fixtures/logs";
import { COMPONENT_TABLES, everyDocument, personalFieldsIn, personLifecycle, privacyBackend, type PrivacyBackend } from "./fixtures/privacy";
import { hookCalls } from "./fixtures/recording";

// A user's deletion leaves nothing personal behind: every table of the component is read after
// Clerk's `user.deleted`, through signed deliveries as Clerk sends them.

captureLogs();
let t: PrivacyBackend;
beforeEach(() => {
  t = privacyBackend();
});
afterEach(() => {
  vi.useRealTimers();
});

const ok = (statuses: number[]) => expect(statuses.every((status) => status === 200)).toBe(true);
const callsOf = (hook: string) => hookCalls.filter((call) => call.hook === hook).map((call) => call.args);
const TOMBSTONE_FIELDS = ["_id", "_creationTime", "kind", "clerkId", "deletedAt"];

describe("user.deleted", () => {
  test("leaves no field in any table holding her email addresses, name or public metadata; what stays is ids and times", async () => {
    const life = personLifecycle();
    ok(await deliver(t, life.events));
    // The scan finds her before: the needles are what the lifecycle stored.
    const before = personalFieldsIn(await everyDocument(t), life.needles);
    expect(new Set(before.map((hit) => hit.split(/[[.]/)[0]))).toEqual(new Set(["users", "memberships", "invitations"]));

    ok(await deliver(t, [userDeleted(life.zenobia.data)]));
    await t.finishAllScheduledFunctions(() => {});

    const tables = await everyDocument(t);
    expect(Object.keys(tables).sort()).toEqual([...COMPONENT_TABLES].sort());
    expect(personalFieldsIn(tables, life.needles)).toEqual([]);
    for (const tombstone of tables.tombstones!) expect(TOMBSTONE_FIELDS).toEqual(expect.arrayContaining(Object.keys(tombstone)));
    expect(tables.tombstones!.map(({ kind, clerkId }) => [kind, clerkId])).toEqual([["user", life.zenobia.data.id]]);
    expect(tables.erasures).toEqual([]);
    // Her rows went, each with its hook; the others' stayed.
    expect(tables.memberships!.map((row) => row.userId)).toEqual([life.grace.data.id]);
    expect(tables.subscriptionItems!.map((row) => row.clerkId)).toEqual([life.acmeTeam.data.id]);
    expect(tables.paymentAttempts).toEqual([]);
    expect(tables.invitations!.map((row) => row.clerkId)).toEqual([life.sentByHer.data.id]);
    expect(callsOf("onMembershipDeleted")).toHaveLength(2);
    expect(callsOf("onSubscriptionItemDeleted").map((args) => (args.subscriptionItem as { clerkId: string }).clerkId)).toEqual([life.pro.data.id]);
    expect(callsOf("onPaymentAttemptDeleted").map((args) => (args.paymentAttempt as { clerkId: string }).clerkId)).toEqual([life.attempt.data.id]);
    expect(
      callsOf("onInvitationDeleted")
        .map((args) => (args.invitation as { clerkId: string }).clerkId)
        .sort(),
    ).toEqual([life.toHerAddress.data.id, life.toOldAddress.data.id].sort());
  });

  test("a cascade of many batches hides everything personal from the moment the deletion lands, and removes it all", () =>
    withLimits({ cascadeBatch: 1 }, async () => {
      // Scheduled batches wait for the timers: what a read sees between batches is pinned.
      vi.useFakeTimers({ now: Date.now() });
      const life = personLifecycle();
      ok(await deliver(t, life.events));
      const zenobia = life.zenobia.data.id;
      const email = "zenobia.quill@example.org";
      ok(await deliver(t, [userDeleted(life.zenobia.data)]));

      // The first batch removed one row: the rest are stored, and no read shows them.
      const stored = await everyDocument(t);
      expect(personalFieldsIn(stored, life.needles).length).toBeGreaterThan(0);
      const page = { numItems: 100, cursor: null };
      const c = components.clerkUsers;
      expect(await t.query(c.users.getByClerkId, { clerkId: zenobia })).toBeNull();
      expect(await t.query(c.users.getByEmail, { email })).toBeNull();
      expect((await t.query(c.memberships.listByUser, { userId: zenobia, paginationOpts: page })).page).toEqual([]);
      for (const org of [life.acme.data.id, life.globex.data.id]) {
        const members = (await t.query(c.memberships.listByOrganization, { orgId: org, paginationOpts: page })).page;
        expect(members.map((member) => member.userId)).not.toContain(zenobia);
      }
      expect(await t.query(c.billing.getByPayer, { userId: zenobia })).toBeNull();
      expect((await t.query(c.billing.payments, { userId: zenobia, paginationOpts: page })).page).toEqual([]);
      expect(await t.query(c.invitations.byEmail, { email })).toEqual([]);
      expect(await t.query(c.invitations.byEmail, { email: "zq-1999@example.net" })).toEqual([]);
      const pending = (await t.query(c.invitations.listPending, { organizationId: life.acme.data.id, paginationOpts: page })).page;
      expect(pending.map((invitation) => invitation.clerkId)).not.toContain(life.toHerAddress.data.id);

      await t.finishAllScheduledFunctions(vi.runAllTimers);
      const tables = await everyDocument(t);
      expect(personalFieldsIn(tables, life.needles)).toEqual([]);
      expect(tables.erasures).toEqual([]);
      expect(callsOf("onInvitationDeleted")).toHaveLength(2);
    }));

  test("a user deleted before any version of theirs was synced: no address is known, so invitations to it stay; one they accepted goes", async () => {
    const life = personLifecycle();
    ok(
      await deliver(
        t,
        life.events.filter((event) => event !== life.zenobia),
      ),
    );
    ok(await deliver(t, [userDeleted(life.zenobia.data)]));
    await t.finishAllScheduledFunctions(() => {});
    const { invitations } = await everyDocument(t);
    expect(invitations!.map((row) => row.clerkId).sort()).toEqual([life.toHerAddress.data.id, life.sentByHer.data.id].sort());
  });

  test("webhook health and resync bookkeeping hold svix ids, counts and times, never a person's data", async () => {
    const life = personLifecycle();
    ok(await deliver(t, life.events));
    const tables = await everyDocument(t);
    const bookkeeping = Object.fromEntries(
      Object.entries(tables).filter(([table]) => ["webhookHealth", "webhookDeliveries", "resyncRuns", "resyncCandidates", "pruneState"].includes(table)),
    );
    expect(bookkeeping.webhookDeliveries!.length + bookkeeping.webhookHealth!.length).toBeGreaterThan(0);
    expect(personalFieldsIn(bookkeeping, life.needles)).toEqual([]);
  });
});
