/**
 * How a scenario is told: its cast (users and organizations whose ids depend on the seed) and
 * its clock (events a second apart, the last at `now`), and the chapters several scenarios share.
 */
import type { OrganizationMembershipJSON, UserJSON } from "@clerk/backend";
import { clerkId } from "./random.js";
import { membershipCreated, organizationCreated, userCreated, type ClerkWebhookEvent, type UserEvent } from "./events/index.js";

/** Who pays in the billing scenarios: each user for themselves (the first, the default), or an organization of them all. */
export const PAYERS = ["user", "org"] as const;
export type PayerType = (typeof PAYERS)[number];
export const isPayerType = (value: string): value is PayerType => (PAYERS as readonly string[]).includes(value);

export type ScenarioOptions = {
  /** How many users take part (default 3; the organization scenarios need at least 2). */
  users?: number;
  /** Ids depend on it: two runs with one seed build the same objects (default 1). */
  seed?: number | string;
  /** When the last event happens (ms, default now); the events before it are a second apart. */
  now?: number;
  /** Who pays in the billing scenarios: each user for themselves (default), or an organization of them all. */
  payer?: PayerType;
};

export type Story = {
  users: number;
  seed: number | string;
  userId: (i: number) => string;
  orgId: (name: string) => string;
  /** The time of the story's next event: a second after the previous one. */
  next: () => number;
};

/**
 * Tells a story (a scenario's body) so that its events are a second apart and the last one
 * happens at `options.now`: it is told once to count its events, then for real.
 */
export function tell<E extends ClerkWebhookEvent>(options: ScenarioOptions, minUsers: number, body: (s: Story) => E[]): E[] {
  const users = Math.max(minUsers, Math.floor(options.users ?? 3));
  const seed = options.seed ?? 1;
  const cast = (start: number) => {
    let at = start;
    return {
      users,
      seed,
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
export function signUps(s: Story): UserEvent[] {
  return Array.from({ length: s.users }, (_, i) => userCreated({ id: s.userId(i), created_at: s.next() }));
}

/** An organization created by the first user (its admin), then joined by every other user. */
export function team(s: Story, people: UserJSON[]) {
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
