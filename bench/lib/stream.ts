/**
 * The stream of Clerk deliveries both implementations receive: every user is created,
 * updated several times, some are deleted; 10% of deliveries are Svix retries of another
 * one (same message id and body); the whole stream is shuffled, as concurrent deliveries
 * and retries can arrive in any order. Seeded, so every run sends the same stream.
 */
import type { UserJSON, WebhookEvent } from "@clerk/backend";
import { clerkUser, deletedEvent, sign, userEvent, type Delivery } from "../../test/fixtures/clerk.js";

export type EventKind = "user.created" | "user.updated" | "user.deleted";

export type StreamEvent = {
  kind: EventKind;
  clerkId: string;
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
 * `total` deliveries over `total / 10` users: 10% retries, 20% of users deleted at the
 * end of their history, the rest creates and updates (about 7.8 updates per user).
 */
export function makeStream(total: number, seed = 1): Stream {
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
  const add = (kind: EventKind, clerkId: string, event: WebhookEvent) =>
    unique.push({ kind, clerkId, svixId: `msg_bench_${++messages}`, duplicate: false, event });

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
    add("user.created", clerkId, userEvent("user.created", user));
    for (let n = 1; n <= updatesPer[u]!; n++) {
      updatedAt += 1 + Math.floor(rand() * 5_000);
      user = version(n);
      add("user.updated", clerkId, userEvent("user.updated", user));
    }
    latest.set(clerkId, user);
    if (u < deletes) {
      add("user.deleted", clerkId, deletedEvent(clerkId));
      latest.set(clerkId, "deleted");
    }
  }

  const events = [...unique];
  for (let i = 0; i < duplicates; i++) events.push({ ...pick(unique), duplicate: true });
  // Fisher-Yates.
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [events[i], events[j]] = [events[j]!, events[i]!];
  }
  return { events, latest };
}

/** Signs every delivery now (Svix rejects timestamps over 5 minutes old, so per round). */
export function signAll(events: StreamEvent[]): Delivery[] {
  return events.map((e) => sign(e.event, { id: e.svixId }));
}
