import type { OrganizationJSON, WebhookEvent } from "@clerk/backend";
import fc from "fast-check";
import { propertyRuns } from "./fixtures/runs";
import { createFunctionHandle } from "convex/server";
import { expect, test } from "vitest";
import { components } from "../example/convex/_generated/api";
import { changesFromBody } from "../src/client/events.js";
import { membershipFromClerk } from "../src/shared/kinds/membership.js";
import { organizationFromClerk } from "../src/shared/kinds/organization.js";
import { userFromClerk } from "../src/shared/kinds/user.js";
import {
  clerkMembership,
  clerkOrganization,
  clerkUser,
  deletedEvent,
  membershipEvent,
  organizationDeletedEvent,
  organizationEvent,
  userEvent,
} from "./fixtures/clerk";
import { history, T0, versionsOf } from "./fixtures/histories";
import { hookCalls, recordingHooksRef, setupRecording } from "./fixtures/recording";
import type { TestBackend } from "./setup";

// Clerk delivers at least once and in no particular order, and a membership event embeds a
// snapshot of its organization. Whatever the order and the repeats of user, organization and
// membership events (with deletions and their cascades), every table ends at Clerk's latest
// state, and the hooks describe exactly the changes the tables went through. Deliveries go
// through the webhook's own parser and mutation; HTTP and svix add nothing here (webhook.test.ts
// covers them), so the property runs many cases cheaply.

const USERS = ["user_a", "user_b", "user_c"];
const ORGS = ["org_x", "org_y"];

const userHistory = history(fc.record({ first_name: fc.constantFrom("Ada", "Grace", null) }));
const orgHistory = history(fc.record({ name: fc.constantFrom("Acme", "Globex", "Initech"), members_count: fc.integer({ min: 0, max: 9 }) }));
/** A user's memberships of one organization: one, or one they left and a rejoined one. */
const pairHistory = fc.record({
  user: fc.nat({ max: USERS.length - 1 }),
  org: fc.nat({ max: ORGS.length - 1 }),
  rejoined: fc.boolean(),
  memberships: fc.array(history(fc.record({ role: fc.constantFrom("org:admin", "org:member") })), { minLength: 2, maxLength: 2 }),
  /** Which organization snapshot each membership event embeds, as a fraction of its history. */
  snapshots: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
});

const worlds = fc.record({
  users: fc.array(userHistory, { minLength: USERS.length, maxLength: USERS.length }),
  orgs: fc.array(orgHistory, { minLength: ORGS.length, maxLength: ORGS.length }),
  pairs: fc.uniqueArray(pairHistory, { maxLength: 4, selector: (p) => `${p.user}/${p.org}` }),
});
type WorldShape = typeof worlds extends fc.Arbitrary<infer W> ? W : never;

/** Clerk's objects' histories, and every delivery of every event, shuffled. */
const scenario = worlds.chain((world) => {
  const events = eventsOf(world);
  return fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }).map((arrivals) => ({ world, arrivals }));
});

function orgJSON(world: WorldShape, i: number, version: number): OrganizationJSON {
  const { at, fields } = versionsOf(world.orgs[i]!)[version]!;
  return clerkOrganization(ORGS[i]!, { ...fields, updated_at: at });
}

/** The memberships of a pair Clerk has had: a left one must have been deleted before the rejoin. */
function membershipsOf(pair: WorldShape["pairs"][number]) {
  const list = pair.rejoined ? pair.memberships : pair.memberships.slice(0, 1);
  return list.map((m, k) => ({ ...m, deletion: k === 0 && pair.rejoined ? (m.deletion ?? 1) : m.deletion, createdAt: T0 + k * 1_000 }));
}

function eventsOf(world: WorldShape): WebhookEvent[] {
  const events: WebhookEvent[] = [];
  const repeat = (n: number, event: WebhookEvent) => {
    for (let c = 0; c < n; c++) events.push(event);
  };
  world.users.forEach((h, i) => {
    versionsOf(h).forEach(({ at, fields }, v) =>
      repeat(h.versions[v]!.copies, userEvent(v === 0 ? "user.created" : "user.updated", clerkUser(USERS[i]!, { ...fields, updated_at: at }))),
    );
    if (h.deletion) repeat(h.deletion, deletedEvent(USERS[i]!));
  });
  world.orgs.forEach((h, i) => {
    versionsOf(h).forEach(({ at, fields }, v) =>
      repeat(
        h.versions[v]!.copies,
        organizationEvent(v === 0 ? "organization.created" : "organization.updated", clerkOrganization(ORGS[i]!, { ...fields, updated_at: at })),
      ),
    );
    if (h.deletion) repeat(h.deletion, organizationDeletedEvent(ORGS[i]!));
  });
  for (const pair of world.pairs) {
    let snapshot = 0;
    const embed = () => orgJSON(world, pair.org, pair.snapshots[snapshot++ % pair.snapshots.length]! % world.orgs[pair.org]!.versions.length);
    membershipsOf(pair).forEach((m, k) => {
      const id = `orgmem_${pair.user}_${pair.org}_${k}`;
      const json = (v: number) => {
        const { at, fields } = versionsOf(m, m.createdAt)[v]!;
        return clerkMembership(id, ORGS[pair.org]!, USERS[pair.user]!, {
          ...fields,
          created_at: m.createdAt,
          updated_at: at,
          organization: embed(),
          public_user_data: memberDataAt(world, pair.user, at),
        });
      };
      m.versions.forEach((version, v) =>
        repeat(version.copies, membershipEvent(v === 0 ? "organizationMembership.created" : "organizationMembership.updated", json(v))),
      );
      if (m.deletion) repeat(m.deletion, membershipEvent("organizationMembership.deleted", json(m.versions.length - 1)));
    });
  }
  return events;
}

/** What a membership event sent at `at` shows of its user: their version of that time (Clerk's `public_user_data`). */
function memberDataAt(world: WorldShape, user: number, at: number) {
  const versions = versionsOf(world.users[user]!);
  const current = [...versions].reverse().find((version) => version.at <= at) ?? versions[0]!;
  return { first_name: current.fields.first_name };
}

/** Clerk's state after every event: the live objects at their latest versions, as rows. */
function clerkState(world: WorldShape) {
  const userLive = world.users.map((h) => h.deletion === null);
  const orgLive = world.orgs.map((h) => h.deletion === null);
  const users = world.users.flatMap((h, i) =>
    userLive[i] ? [userFromClerk(clerkUser(USERS[i]!, { ...versionsOf(h).at(-1)!.fields, updated_at: versionsOf(h).at(-1)!.at }))] : [],
  );
  const orgs = world.orgs.flatMap((h, i) => (orgLive[i] ? [organizationFromClerk(orgJSON(world, i, h.versions.length - 1))] : []));
  const memberships = world.pairs.flatMap((pair) => {
    if (!userLive[pair.user] || !orgLive[pair.org]) return [];
    const list = membershipsOf(pair);
    const current = list.at(-1)!;
    if (current.deletion) return [];
    const { at, fields } = versionsOf(current, current.createdAt).at(-1)!;
    const id = `orgmem_${pair.user}_${pair.org}_${list.length - 1}`;
    // The member's data is the user's latest; taken from the user's own event when that came after the membership's.
    const userAt = versionsOf(world.users[pair.user]!).at(-1)!.at;
    const publicUserData = memberDataAt(world, pair.user, Math.max(at, userAt));
    const row = membershipFromClerk(
      clerkMembership(id, ORGS[pair.org]!, USERS[pair.user]!, { ...fields, created_at: current.createdAt, updated_at: at, public_user_data: publicUserData }),
    );
    return [userAt > at ? { ...row, userDataAt: userAt } : row];
  });
  return { users, orgs, memberships };
}

async function tables(t: TestBackend) {
  const all = { paginationOpts: { numItems: 1000, cursor: null } };
  const strip = <T extends { _id: string; _creationTime: number }>({ _id, _creationTime, ...row }: T) => row;
  const users = (await t.query(components.clerkUsers.users.list, all)).page.map(strip);
  const orgs = (await t.query(components.clerkUsers.organizations.list, all)).page.map(strip);
  const memberships = [];
  for (const orgId of ORGS) memberships.push(...(await t.query(components.clerkUsers.memberships.listByOrganization, { orgId, ...all })).page.map(strip));
  return { users, orgs, memberships };
}

/** A member's data, which a user's change rewrites without a membership hook (copies.ts): the hooks describe the rest. */
const withoutCopies = <T extends object | null>(row: T): T => {
  if (row === null) return row;
  const { identifier: _i, firstName: _f, lastName: _l, imageUrl: _m, userDataAt: _u, ...rest } = row as Record<string, unknown>;
  return ("orgId" in row ? rest : row) as T;
};

/** The tables the hooks describe: each created row added, each update from the row it replaced, each deletion of the row stored. */
function replayHooks() {
  const rows = new Map<string, Record<string, unknown>>();
  for (const { hook, args: raw } of hookCalls) {
    const args = Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, typeof value === "object" ? withoutCopies(value) : value]));
    const kind = /^on(User|Organization|Membership)/.exec(hook)![1]!.toLowerCase();
    const row = args[kind] as { clerkId: string } | null;
    const key = `${kind}:${row?.clerkId ?? args.clerkId}`;
    if (hook.endsWith("Created")) {
      expect(rows.has(key), `${hook} for ${key}, which exists`).toBe(false);
      rows.set(key, row!);
    } else if (hook.endsWith("Updated")) {
      expect(rows.get(key), `${hook} for ${key} from a row that is not the stored one`).toEqual(args.previous);
      rows.set(key, row!);
    } else {
      // A deletion of an object never synced has no row; one that was stored hands over that row.
      expect(rows.get(key) ?? null, `${hook} for ${key}`).toEqual(row);
      rows.delete(key);
    }
  }
  const of = (kind: string) =>
    [...rows]
      .filter(([key]) => key.startsWith(`${kind}:`))
      .map(([, { _id, _creationTime, ...row }]) => row)
      .sort((a, b) => String(a.clerkId).localeCompare(String(b.clerkId)));
  return { users: of("user"), orgs: of("organization"), memberships: of("membership") };
}

const byId = <T extends { clerkId: string }>(rows: T[]) => [...rows].sort((a, b) => a.clerkId.localeCompare(b.clerkId));

test("any order and any repeats of user, organization and membership events converge to Clerk's state, and the hooks describe every change once", async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async ({ world, arrivals }) => {
      const t = setupRecording();
      const hooks = await t.run(() => createFunctionHandle(recordingHooksRef));
      const deliverAll = async () => {
        for (const event of arrivals) {
          const parsed = changesFromBody(JSON.stringify(event), Date.now());
          if (!("changes" in parsed)) throw new Error(`not applied: ${JSON.stringify(parsed)}`);
          await t.mutation(components.clerkUsers.sync.applyEvent, { changes: parsed.changes, hooks });
        }
      };
      await deliverAll();
      const expected = clerkState(world);
      const stored = await tables(t);
      expect(byId(stored.users)).toStrictEqual(byId(expected.users));
      expect(byId(stored.orgs)).toStrictEqual(byId(expected.orgs));
      expect(byId(stored.memberships)).toStrictEqual(byId(expected.memberships));
      expect(replayHooks()).toEqual({ users: byId(expected.users), orgs: byId(expected.orgs), memberships: byId(expected.memberships.map(withoutCopies)) });

      // Every delivery once more, as Svix retries: nothing changes, no hook fires.
      const fired = hookCalls.length;
      await deliverAll();
      expect(hookCalls.length).toBe(fired);
      expect(await tables(t)).toStrictEqual(stored);
    }),
    { numRuns: propertyRuns(200) },
  );
}, 600_000);
