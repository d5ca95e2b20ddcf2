/**
 * The lifecycles apps meet most, as the list of webhook events Clerk sends for them, in the
 * order Clerk emits them. Deliver them in order, shuffled or duplicated (`deliver`, or
 * `npx convex-clerk-users simulate <name>`): the component's tables must end the same.
 */
import type { OrganizationMembershipJSON, UserJSON } from "@clerk/backend";
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
  type ClerkWebhookEvent,
  type UserEvent,
} from "./events/index.js";

export type ScenarioOptions = {
  /** How many users take part (default 3; the organization scenarios need at least 2). */
  users?: number;
  /** Ids depend on it: two runs with one seed build the same objects (default 1). */
  seed?: number | string;
  /** When the last event happens (ms, default now); the events before it are a second apart. */
  now?: number;
};

type Story = {
  users: number;
  userId: (i: number) => string;
  orgId: (name: string) => string;
  /** The time of the story's next event: a second after the previous one. */
  next: () => number;
};

/**
 * Tells a story (a scenario's body) so that its events are a second apart and the last one
 * happens at `options.now`: it is told once to count its events, then for real.
 */
function tell<E extends ClerkWebhookEvent>(options: ScenarioOptions, minUsers: number, body: (s: Story) => E[]): E[] {
  const users = Math.max(minUsers, Math.floor(options.users ?? 3));
  const seed = options.seed ?? 1;
  const cast = (start: number) => {
    let at = start;
    return {
      users,
      userId: (i: number) => clerkId("user", `${seed}:${i}`),
      orgId: (name: string) => clerkId("org", `${seed}:${name}`),
      next: () => (at += 1000),
      elapsed: () => at - start,
    };
  };
  const rehearsal = cast(0);
  body(rehearsal);
  return body(cast((options.now ?? Date.now()) - rehearsal.elapsed()));
}

/** Creates a story's users, each at its own tick. */
function signUps(s: Story): UserEvent[] {
  return Array.from({ length: s.users }, (_, i) => userCreated({ id: s.userId(i), created_at: s.next() }));
}

/** An organization created by the first user (its admin), then joined by every other user. */
function team(s: Story, people: UserJSON[]) {
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
  return tell(options, 1, (s) =>
    signUps(s).flatMap((created) => {
      const renamed = userUpdated(created.data, { first_name: `${created.data.first_name}-Marie`, updated_at: s.next() });
      const newEmail = userUpdated(renamed.data, { email: `${created.data.id.slice(-6).toLowerCase()}@work.example.com`, updated_at: s.next() });
      return [created, renamed, newEmail];
    }),
  );
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
  return tell(options, 2, (s) => {
    const users = signUps(s);
    const { events, organization, memberships } = team(
      s,
      users.map((u) => u.data),
    );
    const renamed = organizationUpdated(organization, { name: "Acme Inc", updated_at: s.next() });
    const promoted = membershipUpdated({ ...memberships[1]!, organization: renamed.data }, { role: "org:admin", updated_at: s.next() });
    return [...users, ...events, renamed, promoted];
  });
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
  return tell(options, 2, (s) => {
    const users = signUps(s);
    const { events, organization, memberships } = team(
      s,
      users.map((u) => u.data),
    );
    const left = membershipDeleted({ ...memberships[1]!, organization: { ...organization, members_count: s.users - 1 } }, s.next());
    const rejoined = membershipCreated({ organization, user: users[1]!.data, created_at: s.next() });
    return [...users, ...events, left, rejoined];
  });
}

/**
 * Deletion: an organization with members, then its last member deletes their account, then
 * the organization is deleted. No membership deletion is sent: this package removes a deleted
 * user's or organization's memberships itself.
 *
 * ```ts
 * const events = deletion({ users: 3 }); // leaves users 0 and 1, no organization, no membership
 * ```
 */
export function deletion(options: ScenarioOptions = {}): ClerkWebhookEvent[] {
  return tell(options, 2, (s) => {
    const users = signUps(s);
    const { events, organization } = team(
      s,
      users.map((u) => u.data),
    );
    const last = users[users.length - 1]!.data;
    return [...users, ...events, userDeleted(last, s.next()), organizationDeleted(organization, s.next())];
  });
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
