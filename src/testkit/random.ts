/**
 * Seeded randomness for the test kit: the same seed gives the same ids, order and duplicates,
 * so a failing shuffled run can be replayed exactly.
 */

/** A PRNG (mulberry32) over a number or a string seed: `next()` is uniform in [0, 1). */
export function seededRandom(seed: number | string): () => number {
  let state = typeof seed === "number" ? seed >>> 0 : hash(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let r = Math.imul(state ^ (state >>> 15), 1 | state);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string, as a 32-bit seed. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A shuffled copy (Fisher-Yates). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * An id shaped like Clerk's (`user_2abc...`: a prefix, `_`, 27 base62 characters, the first a
 * `2` as in Clerk's KSUID-style ids). The same prefix and key always give the same id.
 *
 * ```ts
 * clerkId("user", "alice"); // "user_2..." (always the same)
 * clerkId("org", "acme");
 * ```
 */
export function clerkId(prefix: string, key: string | number): string {
  const random = seededRandom(`${prefix}:${key}`);
  let body = "2";
  while (body.length < 27) body += BASE62[Math.floor(random() * 62)];
  return `${prefix}_${body}`;
}
