import { clerkId } from "../random.js";

/** The Clerk instance the kit's events come from (`instance_id`, as in every real event). */
export const TEST_INSTANCE_ID = clerkId("ins", "convex-clerk-users-test");

/** An event of `Type` carrying `Data`, in Clerk's envelope. */
export type ClerkEvent<Type extends string, Data> = {
  type: Type;
  object: "event";
  data: Data;
  timestamp: number;
  instance_id: string;
  event_attributes: { http_request: { client_ip: string; user_agent: string } };
};

/**
 * The envelope Clerk wraps every webhook payload in. `timestamp` is when Clerk emitted the
 * event (ms), which for an upsert is the object's `updated_at`.
 */
export function clerkEvent<Type extends string, Data>(type: Type, data: Data, timestamp: number): ClerkEvent<Type, Data> {
  return {
    type,
    object: "event",
    data,
    timestamp,
    instance_id: TEST_INSTANCE_ID,
    event_attributes: { http_request: { client_ip: "192.0.2.1", user_agent: "Mozilla/5.0 (convex-clerk-users test kit)" } },
  };
}

/**
 * The `updated_at` of the next version of an object: the one given, else a second after the
 * previous version (or now, if later). Clerk stamps every change; a version never goes back.
 */
export function nextVersionAt(previous: number, given?: number): number {
  return given ?? Math.max(previous + 1000, Date.now());
}

/** Time an event happens at when the caller gives none. */
export const now = () => Date.now();

const PEOPLE = [
  ["Ada", "Lovelace"],
  ["Grace", "Hopper"],
  ["Alan", "Turing"],
  ["Katherine", "Johnson"],
  ["Edsger", "Dijkstra"],
  ["Barbara", "Liskov"],
  ["Donald", "Knuth"],
  ["Margaret", "Hamilton"],
] as const;

/** A name for an id: always the same one for the same id. */
export function personFor(id: string): { first: string; last: string } {
  let sum = 0;
  for (const ch of id) sum = (sum * 31 + ch.charCodeAt(0)) >>> 0;
  const [first, last] = PEOPLE[sum % PEOPLE.length]!;
  return { first, last };
}

/** The kebab-case slug Clerk derives from an organization's name. */
export const slugOf = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** Clerk's URL of the default avatar it generates (base64 of a small JSON). */
export const defaultImageUrl = (id: string) => `https://img.clerk.com/${btoa(`{"type":"default","iid":"${id}"}`).replace(/=+$/, "")}`;
