import type { UserJSON } from "@clerk/backend";
import fc from "fast-check";
import { expect, test } from "vitest";
import { components } from "../example/convex/_generated/api";
import { userFromClerk } from "../src/shared/clerkUser.js";
import type { ApplyOutcome } from "../src/shared/validators.js";
import { clerkUser, deletedEvent, sign, userEvent } from "./fixtures/clerk";
import { post, setup } from "./setup";

// Clerk delivers at least once and in no particular order. Whatever the order and the
// repeats, the table must end at Clerk's latest state, and the app's hooks must have
// fired once per real change.

type History = { clerkId: string; versions: UserJSON[]; deleted: boolean };
/** One POST to the endpoint. Repeats of an event are the same message (same svix-id), as Svix retries it. */
type Delivery = { clerkId: string; svixId: string; body: object; updatedAt: number | "deleted" };

const CREATED_AT = 1_700_000_000_000;

const versionFields = fc.record({
  first_name: fc.option(fc.constantFrom("Ada", "Grace", "Émilie"), { nil: null }),
  email: fc.option(fc.constantFrom("a", "B", "c"), { nil: null }),
  public_metadata: fc.dictionary(fc.constantFrom("plan", "$plan", "seats"), fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean()), { maxKeys: 2 }),
});
// Most events arrive once; some are delivered again, up to three more times.
const copies = fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 4 }));

const histories = fc.array(
  fc.record({
    // A user.created and up to three user.updated, each strictly newer than the last.
    versions: fc.array(fc.record({ gap: fc.integer({ min: 1, max: 1_000 }), fields: versionFields, copies }), { minLength: 1, maxLength: 4 }),
    deletion: fc.option(copies, { nil: null, freq: 2 }),
  }),
  { minLength: 2, maxLength: 5 },
);

const scenario = histories.chain((generated) => {
  const users: History[] = [];
  const deliveries: Delivery[] = [];
  generated.forEach(({ versions, deletion }, i) => {
    const clerkId = `user_${i}`;
    let updatedAt = CREATED_AT - 1;
    const jsons = versions.map(({ gap, fields, copies }, v) => {
      updatedAt += gap;
      const { email, ...rest } = fields;
      const json = clerkUser(clerkId, { ...rest, email: email && `${clerkId}+${email}@Example.com`, updated_at: updatedAt });
      const event = userEvent(v === 0 ? "user.created" : "user.updated", json);
      for (let c = 0; c < copies; c++) deliveries.push({ clerkId, svixId: `msg_${clerkId}_v${v}`, body: event, updatedAt });
      return json;
    });
    if (deletion !== null) {
      const event = deletedEvent(clerkId);
      for (let c = 0; c < deletion; c++) deliveries.push({ clerkId, svixId: `msg_${clerkId}_deleted`, body: event, updatedAt: "deleted" });
    }
    users.push({ clerkId, versions: jsons, deleted: deletion !== null });
  });
  return fc
    .shuffledSubarray(deliveries, { minLength: deliveries.length, maxLength: deliveries.length })
    .map((arrivals) => ({ users, arrivals }));
});

/**
 * What each delivery should do, and how many hook calls each user's profile should have seen,
 * given the arrival order: a version counts when it is newer than every version of that user
 * before it and no delete came first; a delete is final.
 */
function expectedFrom(arrivals: Delivery[]) {
  const seen = new Map<string, { newest: number | null; deleted: boolean; hookCalls: number }>();
  const outcomes = arrivals.map(({ clerkId, updatedAt }): ApplyOutcome => {
    const user = seen.get(clerkId) ?? { newest: null, deleted: false, hookCalls: 0 };
    seen.set(clerkId, user);
    if (updatedAt === "deleted") {
      if (user.deleted) return "duplicate";
      user.deleted = true;
      return "deleted";
    }
    if (user.deleted) return "tombstoned";
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
        const res = await post(t, sign(delivery.body, { id: delivery.svixId }));
        expect(res.status).toBe(200);
        outcomes.push(((await res.json()) as { outcome: ApplyOutcome }).outcome);
      }
      const expected = expectedFrom(arrivals);
      expect(outcomes).toEqual(expected.outcomes);

      const live = users.filter((user) => !user.deleted);
      const latestRow = (user: History) => ({ _id: expect.any(String), _creationTime: expect.any(Number), ...userFromClerk(user.versions.at(-1)!) });
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
          const row = userFromClerk(user.versions.at(-1)!);
          return { clerkId: user.clerkId, displayName: row.name ?? row.email ?? row.clerkId, versions: expected.hookCalls(user.clerkId) };
        }),
      );
    }),
    { numRuns: 300 },
  );
}, 120_000);
