/**
 * What the bench's streams are made of: each synced kind's shape (what its Clerk JSON looks like
 * at each version, how many of it a stream holds) and the streams themselves. A new kind gets
 * its stream by adding its shape here and naming it in a stream: the generator (generate.ts),
 * the floor (floor.ts) and the comparison (../correctness.ts) read the registry.
 */
import { membership } from "../../../src/shared/kinds/membership.js";
import { organization } from "../../../src/shared/kinds/organization.js";
import type { AnyKind } from "../../../src/shared/kinds/registry.js";
import { paymentAttempt } from "../../../src/shared/kinds/paymentAttempt.js";
import { subscriptionItem } from "../../../src/shared/kinds/subscriptionItem.js";
import { user } from "../../../src/shared/kinds/user.js";
import { billingScript, type Script } from "./billing.js";
import { clerkMembership, clerkOrganization, clerkUser } from "../../../test/fixtures/clerk.js";

/** What a version of an object is made from. `parent(kind)` is that parent's version current at `updatedAt`. */
export type VersionInput = {
  /** Which object of its kind (from 0): what its names are made from. */
  index: number;
  id: string;
  /** 0 for the version created, then each update. */
  n: number;
  createdAt: number;
  updatedAt: number;
  rand: () => number;
  pick: <T>(items: readonly T[]) => T;
  parent: (kind: string) => unknown;
};

/** What a deletion event carries: the last version, and the parents' versions at `at`. */
export type DeletionInput = { id: string; last: unknown; at: number; parent: (kind: string) => unknown };

export type Population = {
  /** How many objects, of a stream of `total` deliveries of which `left` are not spoken for by the kinds before. */
  objects(total: number, left: number): number;
  /** How many of them are deleted. */
  deleted(objects: number): number;
  /** Updates of each object: a number, or the stream's deliveries left, spread at random (at least 1 each). One kind of a stream takes the rest. */
  updates: number | "rest";
  /** The share of the deleted that come back under a new id, created and updated once (a kind with a unique key: leave, then rejoin). */
  rejoined?: number;
};

export type Shape = {
  /** The Clerk id of object `index`, and of its return under a new id. */
  id(index: number, rejoined: boolean): string;
  /** At most this long between two versions (ms). */
  updateSpan: number;
  /** Clerk's JSON of a version. Draws from `rand` and `pick` in a fixed order, so streams repeat. */
  version(input: VersionInput): unknown;
  /** The data of its `deleted` event. */
  deleted(input: DeletionInput): unknown;
  population: Population;
};

const HOUR = 3_600_000;
const FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken"];
const USER_PLANS = ["free", "pro", "team"];
const ORG_PLANS = ["free", "pro", "enterprise"];
const TEAMS = ["platform", "growth", "billing", "support"];
const MEMBER = { role: "org:member", permissions: ["org:sys_memberships:read"] };
const ADMIN = { role: "org:admin", permissions: ["org:sys_memberships:read", "org:sys_memberships:manage", "org:sys_profile:manage"] };

/** `total / 10` users, about 7.8 updates each (hours apart, so histories interleave), 20% deleted. */
const userShape: Shape = {
  id: (index) => `user_bench_${String(index).padStart(4, "0")}`,
  updateSpan: HOUR,
  version: ({ id, n, createdAt, updatedAt, rand, pick }) =>
    clerkUser(id, {
      first_name: pick(FIRST_NAMES),
      last_name: n % 3 === 0 ? null : "Lovelace",
      username: n > 0 ? `${id}_${n}` : null,
      email: n % 4 === 3 ? `${id}+v${n}@example.com` : `${id}@example.com`,
      public_metadata: n === 0 ? {} : { plan: pick(USER_PLANS), seats: 1 + Math.floor(rand() * 20) },
      last_sign_in_at: n === 0 ? null : updatedAt,
      created_at: createdAt,
      updated_at: updatedAt,
    }),
  deleted: ({ id }) => ({ object: "user", id, deleted: true }),
  population: { objects: (total) => Math.max(1, Math.round(total / 10)), deleted: (objects) => Math.round(objects * 0.2), updates: "rest" },
};

/** `total / 100` organizations (at least 2), each updated 3 times, 10% (at least 1) deleted. */
const organizationShape: Shape = {
  id: (index) => `org_bench_${String(index).padStart(3, "0")}`,
  updateSpan: 2 * HOUR,
  version: ({ index, id, n, createdAt, updatedAt, rand, pick }) =>
    clerkOrganization(id, {
      name: n === 0 ? `Org ${index}` : `Org ${index} (${pick(ORG_PLANS)})`,
      slug: `org-${index}`,
      members_count: 1 + Math.floor(rand() * 50),
      public_metadata: n === 0 ? {} : { plan: pick(ORG_PLANS) },
      created_by: `user_bench_m${index}`,
      created_at: createdAt,
      updated_at: updatedAt,
    }),
  deleted: ({ id }) => ({ object: "organization", id, deleted: true }),
  population: { objects: (total) => Math.max(2, Math.round(total / 100)), deleted: (objects) => Math.max(1, Math.round(objects * 0.1)), updates: 3 },
};

/**
 * A membership per seat, the rest of the stream (about 6 events each: role, metadata and name
 * changes, some clearing a field); 15% leave and half of those rejoin (a new membership id for
 * the same user and organization). Each event embeds its organization as Clerk had it then.
 */
const membershipShape: Shape = {
  id: (index, rejoined) => `orgmem_bench_${index}${rejoined ? "_rejoined" : ""}`,
  updateSpan: HOUR,
  version: ({ index, id, n, createdAt, updatedAt, rand, pick, parent }) => {
    const userId = `user_bench_m${String(index).padStart(4, "0")}`;
    const org = parent(organization.name) as ReturnType<typeof clerkOrganization>;
    return clerkMembership(id, org.id, userId, {
      ...(n === 0 || rand() < 0.6 ? MEMBER : ADMIN),
      public_metadata: n === 0 ? {} : { team: pick(TEAMS) },
      created_at: createdAt,
      updated_at: updatedAt,
      organization: org,
      public_user_data: { identifier: `${userId}@example.com`, first_name: pick(FIRST_NAMES), last_name: n % 3 === 2 ? null : "Lovelace" },
    });
  },
  deleted: ({ last, at, parent }) => ({ ...(last as object), updated_at: at, organization: parent(organization.name) }),
  population: { objects: (_, left) => Math.round(left / 6), deleted: (objects) => Math.round(objects * 0.15), updates: "rest", rejoined: 0.5 },
};

const SHAPES = new Map<string, Shape>([
  [user.name, userShape],
  [organization.name, organizationShape],
  [membership.name, membershipShape],
]);

/** The shape of `kind`; every kind a stream names has one. */
export function shapeOf(kind: AnyKind): Shape {
  const shape = SHAPES.get(kind.name);
  if (!shape) throw new Error(`bench: no stream shape for ${kind.name} (bench/lib/stream/shapes.ts)`);
  return shape;
}

/**
 * A stream: its kinds (parents first), its seed, and its Svix message ids' infix; `script`
 * writes the events of the kinds it names, with what the others leave of the stream.
 */
export type StreamDef = { name: string; kinds: readonly AnyKind[]; seed: number; script?: Script };

/**
 * The streams every bench run sends, each in every order: users; organizations and memberships;
 * Clerk Billing (bench/lib/stream/billing.ts), its organization payers synced (some deleted at the
 * end, their billing rows with them), its user payers not.
 */
export const STREAMS: readonly StreamDef[] = [
  { name: "bench", kinds: [user], seed: 1 },
  { name: "orgbench", kinds: [organization, membership], seed: 2 },
  { name: "billbench", kinds: [organization, subscriptionItem, paymentAttempt], seed: 3, script: billingScript },
];
