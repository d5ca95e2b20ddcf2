import type { UserJSON } from "@clerk/backend";
import fc from "fast-check";
import { expect, test } from "vitest";
import { components } from "../example/convex/_generated/api";
import { userFromClerk } from "../src/shared/kinds/user.js";
import type { ApplyOutcome } from "../src/shared/validators.js";
import { clerkUser, deletedEvent, sign, userEvent } from "./fixtures/clerk";
import { post, setup } from "./setup";

// Clerk delivers at least once and in no particular order. Whatever the order and the
// repeats, the table must end at Clerk's latest state, and the app's hooks must have
// fired once per real change. This one goes through HTTP and svix end to end, with emails and
// metadata; sync.property.test.ts runs many more cases of every kind on the mutation path.

/** One version of a user in Clerk: the fields that change between versions. */
type Version = { updated_at: number; first_name: string | null; email: string | null; public_metadata: Record<string, unknown> };
type History = { clerkId: string; versions: Version[]; deleted: boolean };
/** One POST to the endpoint: a version of a user (by index), or its deletion. */
type Delivery = { clerkId: string; version: number | "deleted" };

const CREATED_AT = 1_700_000_000_000;

const versionFields = fc.record({
  first_name: fc.option(fc.constantFrom("Ada", "Grace", "Émilie"), { nil: null }),
  email: fc.option(fc.constantFrom("a", "B", "c"), { nil: null }),
  public_metadata: fc.dictionary(fc.constantFrom("plan", "$plan", "seats"), fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean()), { maxKeys: 2 }),
});
// Most events arrive once; some are delivered again, up to three more times.
const deliveryCount = fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 4 }));

const histories = fc.array(
  fc.record({
    // A user.created and up to four user.updated, each strictly newer than the last.
    versions: fc.array(fc.record({ gap: fc.integer({ min: 1, max: 1_000 }), fields: versionFields, copies: deliveryCount }), { minLength: 1, maxLength: 5 }),
    deletion: fc.option(deliveryCount, { nil: null, freq: 2 }),
  }),
  { minLength: 2, maxLength: 5 },
);

/** Users' histories in Clerk, and every delivery of every event, shuffled. */
const scenario = histories.chain((generated) => {
  const users: History[] = [];
  const deliveries: Delivery[] = [];
  generated.forEach(({ versions, deletion }, i) => {
    const clerkId = `user_${i}`;
    let updatedAt = CREATED_AT - 1;
    users.push({
      clerkId,
      versions: versions.map(({ gap, fields, copies }, version) => {
        for (let c = 0; c < copies; c++) deliveries.push({ clerkId, version });
        return { updated_at: (updatedAt += gap), ...fields };
      }),
      deleted: deletion !== null,
    });
    for (let c = 0; c < (deletion ?? 0); c++) deliveries.push({ clerkId, version: "deleted" });
  });
  return fc.shuffledSubarray(deliveries, { minLength: deliveries.length, maxLength: deliveries.length }).map((arrivals) => ({ users, arrivals }));
});

function userJSON(clerkId: string, { email, ...fields }: Version): UserJSON {
  return clerkUser(clerkId, { ...fields, email: email && `${clerkId}+${email}@Example.com`, created_at: CREATED_AT });
}

/** The row Clerk's latest version of this user maps to. */
const latest = (user: History) => userFromClerk(userJSON(user.clerkId, user.versions.at(-1)!));

/** The event Clerk sends for a delivery. Repeats are the same message (same svix-id), as Svix retries it. */
function signedEvent(users: History[], { clerkId, version }: Delivery) {
  if (version === "deleted") return sign(deletedEvent(clerkId), { id: `msg_${clerkId}_deleted` });
  const json = userJSON(clerkId, users.find((user) => user.clerkId === clerkId)!.versions[version]!);
  return sign(userEvent(version === 0 ? "user.created" : "user.updated", json), { id: `msg_${clerkId}_v${version}` });
}

/**
 * What each delivery should do, and how many hook calls each user's profile should have seen,
 * given the arrival order: a version counts when it is newer than every version of that user
 * before it and no delete came first; a delete is final.
 */
function expectedFrom(users: History[], arrivals: Delivery[]) {
  const seen = new Map<string, { newest: number | null; deleted: boolean; hookCalls: number }>();
  const outcomes = arrivals.map(({ clerkId, version }): ApplyOutcome => {
    const user = seen.get(clerkId) ?? { newest: null, deleted: false, hookCalls: 0 };
    seen.set(clerkId, user);
    if (version === "deleted") {
      if (user.deleted) return "duplicate";
      user.deleted = true;
      return "deleted";
    }
    if (user.deleted) return "tombstoned";
    const updatedAt = users.find((history) => history.clerkId === clerkId)!.versions[version]!.updated_at;
    if (user.newest !== null && updatedAt <= user.newest) return updatedAt === user.newest ? "duplicate" : "stale";
    const outcome = user.newest === null ? "created" : "updated";
    user.newest = updatedAt;
    user.hookCalls++;
    return outcome;
  });
  return { outcomes, hookCalls: (clerkId: string) => seen.get(clerkId)!.hookCalls };
}

test("any order and any repeats of Clerk's deliveries converge to Clerk's latest state, firing hooks once per real change", async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async ({ users, arrivals }) => {
      const t = setup();
      const outcomes: ApplyOutcome[] = [];
      for (const delivery of arrivals) {
        const res = await post(t, signedEvent(users, delivery));
        expect(res.status).toBe(200);
        outcomes.push(((await res.json()) as { outcome: ApplyOutcome }).outcome);
      }
      const expected = expectedFrom(users, arrivals);
      expect(outcomes).toEqual(expected.outcomes);

      const live = users.filter((user) => !user.deleted);
      const latestRow = (user: History) => ({ _id: expect.any(String), _creationTime: expect.any(Number), ...latest(user) });
      for (const user of users) {
        const row = await t.query(components.clerkUsers.users.getByClerkId, { clerkId: user.clerkId });
        // A deleted user stays deleted, even when a create or update arrived after the delete.
        if (user.deleted) expect(row).toBeNull();
        else expect(row).toStrictEqual(latestRow(user));
      }

      const listed = await t.query(components.clerkUsers.users.list, { paginationOpts: { numItems: 100, cursor: null } });
      expect(listed.isDone).toBe(true);
      expect(listed.page).toStrictEqual(live.map(latestRow));

      const profiles = await t.run((ctx) => ctx.db.query("profiles").collect());
      const byClerkId = (a: { clerkId: string }, b: { clerkId: string }) => a.clerkId.localeCompare(b.clerkId);
      expect(profiles.map(({ clerkId, displayName, versions }) => ({ clerkId, displayName, versions })).sort(byClerkId)).toEqual(
        live.map((user) => {
          const row = latest(user);
          return { clerkId: user.clerkId, displayName: row.name ?? row.email ?? row.clerkId, versions: expected.hookCalls(user.clerkId) };
        }),
      );
    }),
    { numRuns: 100 },
  );
}, 120_000);
