import { clerkId, seededRandom, shuffled } from "./random.js";

/** How to deliver a list of events. */
export type DeliveryOptions = {
  /** Deliver in a seeded random order instead of Clerk's. */
  shuffle?: boolean;
  /** Deliver every message a second time (the same svix id, as a Svix retry), at a later seeded random position. */
  duplicate?: boolean;
  /** The seed of the order and of the svix ids (default 1): one seed, one run. */
  seed?: number | string;
};

/** One request to make: which event, under which svix message id, and whether it is a redelivery. */
export type PlannedDelivery<E> = { event: E; index: number; svixId: string; redelivery: boolean };

/**
 * The deliveries for `events`, in the order to send them. Each event is one Svix message with
 * its own id; a duplicate reuses it, as Svix does when it retries.
 *
 * ```ts
 * planDeliveries(events, { shuffle: true, duplicate: true, seed: 7 }).map((d) => d.svixId);
 * ```
 */
export function planDeliveries<E>(events: readonly E[], options: DeliveryOptions = {}): PlannedDelivery<E>[] {
  const seed = options.seed ?? 1;
  const random = seededRandom(`deliveries:${seed}`);
  const messages = events.map((event, index) => ({ event, index, svixId: clerkId("msg", `${seed}:${index}`), redelivery: false }));
  const plan = options.shuffle ? shuffled(messages, random) : [...messages];
  if (options.duplicate) {
    for (const message of [...plan]) {
      const after = plan.indexOf(message) + 1;
      plan.splice(after + Math.floor(random() * (plan.length - after + 1)), 0, { ...message, redelivery: true });
    }
  }
  return plan;
}
