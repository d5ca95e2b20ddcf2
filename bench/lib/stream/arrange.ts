/**
 * The order a stream's deliveries arrive in, and the seeded randomness every stream is made
 * with, so every run sends the same streams.
 */

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

/** What `arrange` needs of a delivery. */
export type Arrangeable = { at: number; svixId: string; duplicate: boolean };

/**
 * The deliveries of `unique` (each emitted once) plus `duplicates` Svix retries of them, in
 * `order` (see `StreamOrder`).
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
