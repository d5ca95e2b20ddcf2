/**
 * The streams of Clerk deliveries both implementations receive: every user is created,
 * updated several times, some are deleted; 10% of deliveries are Svix retries of another
 * one (same message id and body). Delivered in one of three orders (`StreamOrder`). Seeded,
 * so every run sends the same streams.
 */
import type { UserJSON, WebhookEvent } from "@clerk/backend";
import { clerkUser, deletedEvent, sign, userEvent, type Delivery } from "../../test/fixtures/clerk.js";

export type EventKind = "user.created" | "user.updated" | "user.deleted";

export type StreamEvent = {
  kind: EventKind;
  clerkId: string;
  /** When Clerk emitted it (ms). */
  at: number;
  /** The user's `updated_at` in it (user.created/updated). */
  updatedAt?: number;
  /** The Svix message id: a retry shares it with the delivery it repeats. */
  svixId: string;
  duplicate: boolean;
  event: WebhookEvent;
};

export type Stream = {
  events: StreamEvent[];
  /** Clerk's latest state per user: its newest version, or "deleted". */
  latest: Map<string, UserJSON | "deleted">;
};

/** mulberry32: a tiny seeded PRNG, so the stream is the same on every machine. */
export function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken"];
const PLANS = ["free", "pro", "team"];

/**
 * - `realistic`: in the order Clerk emitted them, as a healthy endpoint sees them: each retry
 *   arrives 1 to 50 deliveries after its original, and 2% of neighbours are swapped (two
 *   deliveries in flight at once).
 * - `adversarial`: fully shuffled, as after an outage when Svix replays a backlog in any order:
 *   most deliveries are stale.
 * - `in-order`: emission order, no retries: every delivery is news. A sanity check that the
 *   baseline is correct where it should be.
 */
export type StreamOrder = "realistic" | "adversarial" | "in-order";

/**
 * `total` deliveries over `total / 10` users: 10% retries, 20% of users deleted at the
 * end of their history, the rest creates and updates (about 7.8 updates per user).
 */
export function makeStream(total: number, order: StreamOrder = "adversarial", seed = 1): Stream {
  const rand = random(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)]!;
  const userCount = Math.max(1, Math.round(total / 10));
  const duplicates = Math.round(total * 0.1);
  const deletes = Math.round(userCount * 0.2);
  const updates = total - duplicates - userCount - deletes;
  if (updates < userCount) throw new Error(`makeStream: ${total} events are too few for ${userCount} users`);

  // Every user gets at least one update; the rest are spread at random.
  const updatesPer = new Array<number>(userCount).fill(1);
  for (let i = userCount; i < updates; i++) updatesPer[Math.floor(rand() * userCount)]!++;

  const unique: StreamEvent[] = [];
  const latest = new Map<string, UserJSON | "deleted">();
  let messages = 0;
  const add = (kind: EventKind, clerkId: string, at: number, event: WebhookEvent, updatedAt?: number) =>
    unique.push({ kind, clerkId, at, ...(updatedAt !== undefined ? { updatedAt } : {}), svixId: `msg_bench_${++messages}`, duplicate: false, event });

  for (let u = 0; u < userCount; u++) {
    const clerkId = `user_bench_${String(u).padStart(4, "0")}`;
    const createdAt = 1_700_000_000_000 + u * 60_000;
    let updatedAt = createdAt;
    const version = (n: number) =>
      clerkUser(clerkId, {
        first_name: pick(FIRST_NAMES),
        last_name: n % 3 === 0 ? null : "Lovelace",
        username: n > 0 ? `${clerkId}_${n}` : null,
        email: n % 4 === 3 ? `${clerkId}+v${n}@example.com` : `${clerkId}@example.com`,
        public_metadata: n === 0 ? {} : { plan: pick(PLANS), seats: 1 + Math.floor(rand() * 20) },
        last_sign_in_at: n === 0 ? null : updatedAt,
        created_at: createdAt,
        updated_at: updatedAt,
      });
    let user = version(0);
    add("user.created", clerkId, createdAt, userEvent("user.created", user), createdAt);
    for (let n = 1; n <= updatesPer[u]!; n++) {
      // Hours apart on average, so users' histories interleave in time.
      updatedAt += 1 + Math.floor(rand() * 3_600_000);
      user = version(n);
      add("user.updated", clerkId, updatedAt, userEvent("user.updated", user), updatedAt);
    }
    latest.set(clerkId, user);
    if (u < deletes) {
      add("user.deleted", clerkId, updatedAt + 1 + Math.floor(rand() * 3_600_000), deletedEvent(clerkId));
      latest.set(clerkId, "deleted");
    }
  }
  return { events: arrange(unique, duplicates, order, rand), latest };
}

/** What `arrange` needs of a delivery. */
export type Arrangeable = { at: number; svixId: string; duplicate: boolean };

/**
 * The deliveries of `unique` (each emitted once) plus `duplicates` Svix retries of them, in
 * `order` (see `StreamOrder`). Every stream of the bench (users, organizations and memberships)
 * is arranged by this one function.
 */
export function arrange<E extends Arrangeable>(unique: E[], duplicates: number, order: StreamOrder, rand: () => number): E[] {
  // The same picks for every order, so the streams differ in order only.
  const retried = Array.from({ length: duplicates }, () => ({ of: Math.floor(rand() * unique.length), late: 1 + Math.floor(rand() * 50) }));

  if (order === "adversarial") {
    const events = [...unique, ...retried.map(({ of }) => ({ ...unique[of]!, duplicate: true }))];
    // Fisher-Yates.
    for (let i = events.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [events[i], events[j]] = [events[j]!, events[i]!];
    }
    return events;
  }
  const timed = [...unique].sort((a, b) => a.at - b.at || a.svixId.localeCompare(b.svixId, "en", { numeric: true }));
  if (order === "in-order") return timed;
  for (let i = 0; i + 1 < timed.length; i++) {
    if (rand() < 0.02) {
      [timed[i], timed[i + 1]] = [timed[i + 1]!, timed[i]!];
      i++;
    }
  }
  // Each retry goes `late` deliveries after its original.
  const position = new Map(timed.map((e, i) => [e.svixId, i]));
  const keyed = timed.map((event, i) => ({ event, key: i }));
  for (const { of, late } of retried) {
    const original = unique[of]!;
    keyed.push({ event: { ...original, duplicate: true }, key: position.get(original.svixId)! + late + 0.5 });
  }
  keyed.sort((a, b) => a.key - b.key);
  return keyed.map((k) => k.event);
}

/** What the least any correct implementation could do costs per delivery, under the bench's accounting. */
export type FloorCost = { reads: number; writes: number };

/**
 * The floor: an oracle that applies the stream knowing every version's order. A delivery that
 * changes nothing (a retry, a stale version, anything after the delete) costs the one read that
 * tells it so; a real change costs its write. Under Convex's accounting (the bench's), changing
 * an existing document also costs the read that finds it and the read the patch or delete
 * itself counts: 2 reads and 1 write. A new user's insert reads nothing (the lookup finds no
 * document); a delete of a user never stored costs nothing.
 */
export function floorCosts(stream: Stream): FloorCost[] {
  const state = new Map<string, { stored: boolean; deleted: boolean; version: number }>();
  return stream.events.map((event) => {
    const now = state.get(event.clerkId) ?? { stored: false, deleted: false, version: -Infinity };
    const real = event.kind === "user.deleted" ? !now.deleted : !now.deleted && event.updatedAt! > now.version;
    if (!real) return { reads: 1, writes: 0 };
    const cost = { reads: now.stored ? 2 : 0, writes: event.kind === "user.deleted" && !now.stored ? 0 : 1 };
    state.set(
      event.clerkId,
      event.kind === "user.deleted" ? { stored: false, deleted: true, version: now.version } : { stored: true, deleted: false, version: event.updatedAt! },
    );
    return cost;
  });
}

/** Signs every delivery now (Svix rejects timestamps over 5 minutes old, so per round). */
export function signAll(events: readonly { event: WebhookEvent; svixId: string }[]): Delivery[] {
  return events.map((e) => sign(e.event, { id: e.svixId }));
}
