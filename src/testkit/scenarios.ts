/**
 * The lifecycles apps meet most, as the list of webhook events Clerk sends for them, in the
 * order Clerk emits them. Deliver them in order, shuffled or duplicated (`deliver`, or
 * `npx convex-clerk-users simulate <name>`): the component's tables must end the same.
 */
import type { OrganizationJSON, OrganizationMembershipJSON, UserJSON } from "@clerk/backend";
import { clerkId } from "./random.js";
import {
  membershipCreated,
  membershipDeleted,
  membershipUpdated,
  organizationCreated,
  organizationDeleted,
  organizationUpdated,
  userCreated,
  userDeleted,
  userUpdated,
  type MembershipEvent,
  type OrganizationDeletedEvent,
  type OrganizationEvent,
  type UserDeletedEvent,
  type UserEvent,
} from "./events/index.js";

/** Every event the kit builds: the ones this package handles. */
export type ClerkWebhookEvent = UserEvent | UserDeletedEvent | OrganizationEvent | OrganizationDeletedEvent | MembershipEvent;

export type ScenarioOptions = {
  /** How many users take part (default 3; the organization scenarios need at least 2). */
  users?: number;
  /** Ids depend on it: two runs with one seed build the same objects (default 1). */
  seed?: number | string;
  /** When the last event happens (ms, default now); the events before it are a second apart. */
  now?: number;
};

/**
 * The story's cast and clock: users named by index, one second between events, ending at
 * `now`. Times are assigned at the end, so a story never needs to know its length.
 */
function story(options: ScenarioOptions, minUsers: number) {
  const users = Math.max(minUsers, Math.floor(options.users ?? 3));
  const seed = options.seed ?? 1;
  let tick = 0;
  return {
    users,
    userId: (i: number) => clerkId("user", `${seed}:${i}`),
    orgId: (name: string) => clerkId("org", `${seed}:${name}`),
    /** A time for the next event: its tick, turned into ms by `finish`. */
    next: () => ++tick,
    finish<E extends ClerkWebhookEvent>(events: E[]): E[] {
      const end = options.now ?? Date.now();
      return events.map((e) => retime(e, (t) => end - (tick - t) * 1000));
    },
  };
}

/** Replaces tick numbers with times in every time field of an event (the envelope and data). */
function retime<E extends ClerkWebhookEvent>(event: E, at: (tick: number) => number): E {
  const data: Record<string, unknown> = { ...event.data };
  for (const key of ["created_at", "updated_at"] as const) if (typeof data[key] === "number") data[key] = at(data[key]);
  if (typeof data.organization === "object" && data.organization !== null) {
    const organization = data.organization as OrganizationJSON;
    data.organization = { ...organization, created_at: at(organization.created_at), updated_at: at(organization.updated_at) };
  }
  return { ...event, data, timestamp: at(event.timestamp) };
}

/** Creates a story's users, each at its own tick. */
function signUps(s: ReturnType<typeof story>): UserEvent[] {
  return Array.from({ length: s.users }, (_, i) => userCreated({ id: s.userId(i), created_at: s.next() }));
}

/** An organization created by the first user (its admin), then joined by every other user. */
function team(s: ReturnType<typeof story>, people: UserJSON[]) {
  const events: ClerkWebhookEvent[] = [];
  const created = organizationCreated({ id: s.orgId("team"), name: "Acme", created_by: people[0]!.id, created_at: s.next() });
  events.push(created);
  let organization = created.data;
  const memberships: OrganizationMembershipJSON[] = [];
  for (const [i, user] of people.entries()) {
    // Clerk changes members_count without a new updated_at, and embeds the organization as it is now.
    organization = { ...organization, members_count: i + 1 };
    const joined = membershipCreated({ organization, user, role: i === 0 ? "org:admin" : "org:member", created_at: s.next() });
    memberships.push(joined.data);
    events.push(joined);
  }
  return { events, organization, memberships };
}

/**
 * Sign-up, then profile edits: every user is created, renamed, then changes their primary email.
 *
 * ```ts
 * await deliver(t, signUpThenEdit({ users: 2 }), { shuffle: true, duplicate: true });
 * ```
 */
export function signUpThenEdit(options: ScenarioOptions = {}): UserEvent[] {
  const s = story(options, 1);
  const events: UserEvent[] = [];
  for (const created of signUps(s)) {
    const renamed = userUpdated(created.data, { first_name: `${created.data.first_name}-Marie`, updated_at: s.next() });
    const newEmail = userUpdated(renamed.data, { email: `${created.data.id.slice(-6).toLowerCase()}@work.example.com`, updated_at: s.next() });
    events.push(created, renamed, newEmail);
  }
  return s.finish(events);
}

/**
 * An organization with members and a role change: users sign up, the first creates "Acme"
 * (and is its admin), the others join as members, the organization is renamed, and the second
 * user is promoted to admin.
 *
 * ```ts
 * const events = organizationWithMembers({ users: 5 });
 * ```
 */
export function organizationWithMembers(options: ScenarioOptions = {}): ClerkWebhookEvent[] {
  const s = story(options, 2);
  const users = signUps(s);
  const { events, organization, memberships } = team(
    s,
    users.map((u) => u.data),
  );
  const renamed = organizationUpdated(organization, { name: "Acme Inc", updated_at: s.next() });
  const promoted = membershipUpdated({ ...memberships[1]!, organization: renamed.data }, { role: "org:admin", updated_at: s.next() });
  return s.finish([...users, ...events, renamed, promoted]);
}

/**
 * Leave and rejoin: as `organizationWithMembers` without the role change, then the second
 * user leaves and rejoins, which makes a new membership (a new id) in Clerk.
 *
 * ```ts
 * const events = leaveAndRejoin();
 * ```
 */
export function leaveAndRejoin(options: ScenarioOptions = {}): ClerkWebhookEvent[] {
  const s = story(options, 2);
  const users = signUps(s);
  const { events, organization, memberships } = team(
    s,
    users.map((u) => u.data),
  );
  const leaving = memberships[1]!;
  const left = membershipDeleted({ ...leaving, organization: { ...organization, members_count: s.users - 1 } }, s.next());
  const rejoined = membershipCreated({ organization, user: users[1]!.data, created_at: s.next() });
  return s.finish([...users, ...events, left, rejoined]);
}

/**
 * Deletion: an organization with members, then its last member deletes their account, then
 * the organization is deleted. Clerk sends no membership events for either cascade.
 *
 * ```ts
 * const events = deletion({ users: 3 }); // leaves users 0 and 1, no organization, no membership
 * ```
 */
export function deletion(options: ScenarioOptions = {}): ClerkWebhookEvent[] {
  const s = story(options, 2);
  const users = signUps(s);
  const { events, organization } = team(
    s,
    users.map((u) => u.data),
  );
  const last = users[users.length - 1]!.data;
  return s.finish([...users, ...events, userDeleted(last, s.next()), organizationDeleted(organization, s.next())]);
}

/** The scenarios by the name `simulate` knows them by. */
export const SCENARIOS = {
  "sign-up": { build: signUpThenEdit, description: "users sign up, then edit their name and primary email" },
  organization: { build: organizationWithMembers, description: "an organization is created, users join, it is renamed, a member is promoted" },
  "leave-and-rejoin": { build: leaveAndRejoin, description: "a member leaves an organization and rejoins (a new membership id)" },
  deletion: { build: deletion, description: "a member deletes their account, then the organization is deleted" },
} as const satisfies Record<string, { build: (options?: ScenarioOptions) => ClerkWebhookEvent[]; description: string }>;

export type ScenarioName = keyof typeof SCENARIOS;

/** Whether `name` is one of `SCENARIOS`. */
export const isScenarioName = (name: string): name is ScenarioName => Object.prototype.hasOwnProperty.call(SCENARIOS, name);
