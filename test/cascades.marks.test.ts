import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { components } from "../example/convex/_generated/api";
import { RUNNING_SCAN } from "../src/component/cascades.js";
import { LIMITS } from "../src/component/limits.js";
import { clerkMembership, membershipEvent, organizationDeletedEvent, sign } from "./fixtures/clerk";
import { recording, runningCascadesRef, setupRecording, storedMembershipsRef } from "./fixtures/recording";
import { deliver, post, type TestBackend } from "./setup";

/**
 * Reads hide a child of a deleted object only while the deletion's cascade runs, and know which
 * cascades run from one range of marks (cascades.ts `awaitsCascade`): a deletion whose cascade
 * needs more transactions is marked from its first transaction to its last batch, and only then.
 */

const T0 = 1_700_000_000_000;
const BATCH = 2;

let t: TestBackend;
let saved = LIMITS.cascadeBatch;
beforeEach(() => {
  t = setupRecording();
  saved = LIMITS.cascadeBatch;
  LIMITS.cascadeBatch = BATCH;
});
afterEach(() => {
  LIMITS.cascadeBatch = saved;
  vi.useRealTimers();
});

const testOnly = () =>
  (components.clerkUsers as unknown as { testOnly: { runningCascades: typeof runningCascadesRef; storedMemberships: typeof storedMembershipsRef } }).testOnly;
const marks = () => t.query(testOnly().runningCascades, {});
const stored = (orgId: string) => t.query(testOnly().storedMemberships, { orgId });
const userOf = (orgId: string, i: number) => `user_${orgId}_${i}`;

/** Stores `members` memberships of `orgId` through the component's own mutation (their users `userOf(orgId, i)`). */
async function orgWith(orgId: string, members: number) {
  const changes = Array.from(
    { length: members },
    (_, i) =>
      ({
        kind: "membership",
        op: "upsert",
        row: { clerkId: `orgmem_${orgId}_${i}`, orgId, userId: userOf(orgId, i), role: "org:member", permissions: [] as string[], updatedAt: T0 },
      }) as const,
  );
  await t.mutation(components.clerkUsers.sync.applyEvent, { changes });
}

const getMember = (orgId: string, i: number) => t.query(components.clerkUsers.memberships.get, { orgId, userId: userOf(orgId, i) });
const orgsOf = async (orgId: string, i: number) =>
  (await t.query(components.clerkUsers.memberships.listByUser, { userId: userOf(orgId, i), paginationOpts: { numItems: 100, cursor: null } })).page.map(
    (m) => m.orgId,
  );

describe("a cascade is marked running from its first transaction to its last batch, and only then", () => {
  test("a deletion whose cascade fits its own transaction leaves no mark", async () => {
    await orgWith("org_small", BATCH - 1);
    await deliver(t, organizationDeletedEvent("org_small"));
    expect(await stored("org_small")).toBe(0);
    expect(await marks()).toEqual([]);
  });

  test("one that needs more transactions is marked until its last batch removes the last row", async () => {
    await orgWith("org_big", BATCH * 3 + 1);
    await deliver(t, organizationDeletedEvent("org_big"));
    expect(await stored("org_big")).toBe(BATCH * 2 + 1);
    expect(await marks()).toEqual(["organization org_big"]);
    expect(await getMember("org_big", BATCH * 3)).toBeNull();
    await t.finishAllScheduledFunctions(() => {});
    expect(await stored("org_big")).toBe(0);
    expect(await marks()).toEqual([]);
  });
});

// The rule is the same either side of RUNNING_SCAN: marks read in one range and matched in
// memory, or, past it, each parent's mark looked up by index.
describe.each([
  ["a few cascades run (their marks read in one range)", 3],
  [`more than RUNNING_SCAN (${RUNNING_SCAN}) run (each parent's mark looked up)`, RUNNING_SCAN + 2],
])("while %s, every read hides their rows and only theirs", (_, running) => {
  test("memberships.get, listByUser and listByOrganization", async () => {
    const deleted = Array.from({ length: running }, (_, i) => `org_gone_${String(i).padStart(2, "0")}`);
    for (const orgId of [...deleted, "org_live"]) await orgWith(orgId, BATCH + 1);
    // A member of a deleted organization who also belongs to a live one.
    await t.mutation(components.clerkUsers.sync.applyEvent, {
      changes: [
        {
          kind: "membership",
          op: "upsert",
          row: { clerkId: "orgmem_both", orgId: "org_live", userId: userOf(deleted[0]!, BATCH), role: "org:member", permissions: [], updatedAt: T0 },
        },
      ],
    });
    for (const orgId of deleted) await deliver(t, organizationDeletedEvent(orgId));

    expect((await marks()).length).toBe(running);
    for (const orgId of deleted) {
      expect(await stored(orgId)).toBe(1);
      expect(await getMember(orgId, BATCH)).toBeNull();
    }
    expect(await getMember("org_live", BATCH)).toMatchObject({ orgId: "org_live" });
    expect(await orgsOf(deleted[0]!, BATCH)).toEqual(["org_live"]);
    const live = await t.query(components.clerkUsers.memberships.listByOrganization, { orgId: "org_live", paginationOpts: { numItems: 100, cursor: null } });
    expect(live.page.map((m) => m.userId).sort()).toEqual(
      [...Array.from({ length: BATCH + 1 }, (_, i) => userOf("org_live", i)), userOf(deleted[0]!, BATCH)].sort(),
    );
    const gone = await t.query(components.clerkUsers.memberships.listByOrganization, { orgId: deleted[1]!, paginationOpts: { numItems: 100, cursor: null } });
    expect(gone.page).toEqual([]);

    await t.finishAllScheduledFunctions(() => {});
    expect(await marks()).toEqual([]);
    expect(await orgsOf(deleted[0]!, BATCH)).toEqual(["org_live"]);
  }, 60_000);
});

test("a mark left by a cascade that gave up goes with its tombstone, once its rows were removed otherwise", async () => {
  vi.useFakeTimers();
  vi.spyOn(console, "error").mockImplementation(() => {});
  await orgWith("org_1", BATCH + 1);
  await post(t, sign(organizationDeletedEvent("org_1"), { id: "msg_org_deleted" }));
  // The app's hook is broken for good: the continuation gives up, the last row stays, hidden.
  recording.failing = "onMembershipDeleted";
  await t.finishAllScheduledFunctions(vi.runAllTimers);
  recording.failing = null;
  expect(await stored("org_1")).toBe(1);
  expect(await marks()).toEqual(["organization org_1"]);
  // Clerk's own event for that membership removes the row: the mark now hides nothing.
  await deliver(
    t,
    membershipEvent("organizationMembership.deleted", clerkMembership(`orgmem_org_1_${BATCH}`, "org_1", userOf("org_1", BATCH), { updated_at: T0 + 1 })),
  );
  expect(await stored("org_1")).toBe(0);
  // Past the tombstones' retention, the pruning run removes the organization's tombstone and its mark.
  vi.advanceTimersByTime(91 * 24 * 60 * 60_000);
  await t.finishAllScheduledFunctions(vi.runAllTimers);
  expect(await marks()).toEqual([]);
}, 60_000);
