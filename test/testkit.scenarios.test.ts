import type { OrganizationJSON, OrganizationMembershipJSON } from "@clerk/backend";
import { convexTest } from "convex-test";
import { deliver, register, SCENARIOS, setTestWebhookSecret, type ClerkWebhookEvent, type ScenarioName } from "convex-clerk-users/test";
import { describe, expect, test } from "vitest";
import schema from "../example/convex/schema";
import { tables } from "./fixtures/tables";
import { appModules } from "./setup";

/** Clerk id order, as the component lists rows. */
const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function backend() {
  setTestWebhookSecret();
  const t = convexTest(schema, appModules);
  register(t);
  return t;
}

/**
 * What Clerk holds once the events have happened, worked out from the events alone: the last
 * version of each object, minus what was deleted (with a deleted user's or organization's
 * memberships), one membership per user and organization (the one created last).
 */
function clerkState(events: ClerkWebhookEvent[]) {
  const latest = <T extends { id: string; updated_at: number }>(map: Map<string, T>, item: T) => {
    const seen = map.get(item.id);
    if (!seen || seen.updated_at < item.updated_at) map.set(item.id, item);
  };
  const users = new Map<string, { id: string; updated_at: number; first_name: string | null }>();
  const organizations = new Map<string, OrganizationJSON>();
  const memberships = new Map<string, OrganizationMembershipJSON>();
  const deleted = new Set<string>();
  for (const event of events) {
    if (event.type === "user.deleted" || event.type === "organization.deleted" || event.type === "organizationMembership.deleted") {
      deleted.add(event.data.id!);
    } else if (event.type === "user.created" || event.type === "user.updated") latest(users, event.data);
    else if (event.type === "organization.created" || event.type === "organization.updated") latest(organizations, event.data);
    else latest(memberships, event.data);
  }
  const alive = <T extends { id: string }>(map: Map<string, T>) => [...map.values()].filter((x) => !deleted.has(x.id));
  const liveMemberships = alive(memberships).filter((m) => !deleted.has(m.organization.id) && !deleted.has(m.public_user_data.user_id));
  return {
    users: alive(users)
      .map((u) => ({ clerkId: u.id, firstName: u.first_name, updatedAt: u.updated_at }))
      .sort((a, b) => byId(a.clerkId, b.clerkId)),
    organizations: alive(organizations)
      .map((o) => ({ clerkId: o.id, name: o.name }))
      .sort((a, b) => byId(a.clerkId, b.clerkId)),
    memberships: liveMemberships
      .filter(
        (m) =>
          !liveMemberships.some(
            (n) => n.organization.id === m.organization.id && n.public_user_data.user_id === m.public_user_data.user_id && n.created_at > m.created_at,
          ),
      )
      .map((m) => ({ clerkId: m.id, orgId: m.organization.id, userId: m.public_user_data.user_id, role: m.role }))
      .sort((a, b) => byId(a.userId, b.userId)),
  };
}

const project = (state: Awaited<ReturnType<typeof tables>>) => ({
  users: state.users.map(({ clerkId, firstName, updatedAt }) => ({ clerkId, firstName: firstName ?? null, updatedAt })),
  organizations: state.organizations.map(({ clerkId, name }) => ({ clerkId, name })),
  memberships: state.memberships.map(({ clerkId, orgId, userId, role }) => ({ clerkId, orgId, userId, role })).sort((a, b) => byId(a.userId, b.userId)),
});

/**
 * Every stored field but `membersCount`, which Clerk changes without a new `updated_at`: the
 * copy that arrives last is kept, so it may lag (README, "Reading the tables").
 */
const converging = (state: Awaited<ReturnType<typeof tables>>) => ({
  ...state,
  organizations: state.organizations.map(({ membersCount, ...organization }) => organization),
});

describe.each(Object.keys(SCENARIOS) as ScenarioName[])("scenario %s", (name) => {
  const events = SCENARIOS[name].build({ users: 4, seed: "scenarios-test" });

  test("in Clerk's order, the tables end at Clerk's state", async () => {
    const t = backend();
    expect(await deliver(t, events)).toEqual(events.map(() => 200));
    expect(project(await tables(t))).toEqual(clerkState(events));
  });

  test.each([1, 2, 3])("shuffled and every message redelivered (seed %i), the tables end the same", async (seed) => {
    const inOrder = backend();
    await deliver(inOrder, events);
    const t = backend();
    const statuses = await deliver(t, events, { shuffle: true, duplicate: true, seed });
    expect(statuses).toEqual([...events, ...events].map(() => 200));
    expect(converging(await tables(t))).toEqual(converging(await tables(inOrder)));
  });
});

test("scenarios are built the same from the same seed, and end their events at `now`", () => {
  const now = Date.UTC(2026, 0, 1);
  for (const { build } of Object.values(SCENARIOS)) {
    const events = build({ users: 3, seed: 9, now });
    expect(build({ users: 3, seed: 9, now })).toEqual(events);
    expect(Math.max(...events.map((e) => e.timestamp))).toBe(now);
    expect(build({ users: 3, seed: 10, now })[0]?.data.id).not.toBe(events[0]?.data.id);
  }
});
