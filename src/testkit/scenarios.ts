/**
 * The lifecycles apps meet most, as the list of webhook events Clerk sends for them, in the
 * order Clerk emits them. Deliver them in order, shuffled or duplicated (`deliver`, or
 * `npx convex-clerk-users simulate <name>`): the component's tables must end the same.
 */
import { billingCancellation, billingTrial, billingUpgrade, failedRenewal } from "./billingScenarios.js";
import {
  membershipCreated,
  membershipDeleted,
  membershipUpdated,
  organizationDeleted,
  organizationUpdated,
  userDeleted,
  userUpdated,
  type ClerkWebhookEvent,
  type UserEvent,
} from "./events/index.js";
import { signUps, team, tell, type ScenarioOptions } from "./story.js";

export { isPayerType, PAYERS, type PayerType, type ScenarioOptions } from "./story.js";
export * from "./billingScenarios.js";

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
  "billing-upgrade": { build: billingUpgrade, description: "payers on the free plan upgrade to pro: the free item ends, the pro item becomes active" },
  "billing-past-due": { build: failedRenewal, description: "after an upgrade, the renewal's payment fails: the pro item is past due" },
  "billing-cancel": {
    build: billingCancellation,
    description: "after an upgrade, pro is canceled: kept until its period ends, then the free item is active again",
  },
  "billing-trial": {
    build: (options) => billingTrial({ ...options, converts: true }),
    description: "a free trial of pro, its ending notice, then the first payment",
  },
  "billing-trial-lapses": {
    build: (options) => billingTrial({ ...options, converts: false }),
    description: "a free trial of pro that ends unpaid: back on the free plan",
  },
} as const satisfies Record<string, { build: (options?: ScenarioOptions) => ClerkWebhookEvent[]; description: string }>;

export type ScenarioName = keyof typeof SCENARIOS;

/** Whether `name` is one of `SCENARIOS`. */
export const isScenarioName = (name: string): name is ScenarioName => Object.prototype.hasOwnProperty.call(SCENARIOS, name);
