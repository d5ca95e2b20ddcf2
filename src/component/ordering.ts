import type { ChangeSource } from "../shared/validators.js";

/** What is stored for one Clerk id when a change arrives: a version, a tombstone, or nothing. */
export type Stored = { updatedAt: number; fingerprint: string; provisional?: boolean } | "deleted" | null;

/**
 * What arrives: a version (Clerk's `updated_at` and its content's fingerprint), or a deletion.
 * Fingerprints are compared only when the two `updatedAt` are equal; otherwise they may be left empty.
 */
export type Incoming = { op: "upsert"; updatedAt: number; fingerprint: string } | { op: "delete" };

export type Decision =
  { write: "insert" } | { write: "replace" } | { write: "delete" } | { write: "tombstone" } | { write: "none"; why: "duplicate" | "stale" | "tombstoned" };

/**
 * Decides what one change does to what is stored, so that any order and any number
 * of repeats of Clerk's deliveries converge to Clerk's latest state:
 * - a version replaces only an older one (Clerk's `updated_at`), a repeat writes nothing;
 * - two different versions with the same `updated_at` are ordered by content (the greater
 *   fingerprint wins), so the result does not depend on which arrived first; a resync, whose
 *   listing is Clerk's current truth, replaces a stored version of the same time that differs;
 * - a provisional row (made from a token before the webhook) yields to any real version;
 * - a delete is final (Clerk never reuses ids), so it wins over every version, early or late.
 */
export function decide(change: Incoming, stored: Stored, source: ChangeSource = "webhook"): Decision {
  if (change.op === "delete") {
    if (stored === "deleted") return { write: "none", why: "duplicate" };
    return stored === null ? { write: "tombstone" } : { write: "delete" };
  }
  if (stored === "deleted") return { write: "none", why: "tombstoned" };
  if (stored === null) return { write: "insert" };
  if (stored.provisional) return { write: "replace" };
  if (change.updatedAt > stored.updatedAt) return { write: "replace" };
  if (change.updatedAt < stored.updatedAt) return { write: "none", why: "stale" };
  if (change.fingerprint === stored.fingerprint) return { write: "none", why: "duplicate" };
  if (source === "resync" || change.fingerprint > stored.fingerprint) return { write: "replace" };
  return { write: "none", why: "stale" };
}

/**
 * The content of a row as one string, whatever the order of its keys: two rows with the same
 * fields and values have the same fingerprint. System fields (`_id`, `_creationTime`), the
 * provisional marker and the kind's `volatile` fields are not content.
 */
export function fingerprint(row: Record<string, unknown>, volatile: readonly string[] = []): string {
  const keys = Object.keys(row).filter((key) => !key.startsWith("_") && key !== "provisional" && !volatile.includes(key) && row[key] !== undefined);
  return canonical(Object.fromEntries(keys.map((key) => [key, row[key]])));
}

// Built as a string, not an object: a `__proto__` key in metadata must stay a key.
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(",")}}`;
}

/**
 * Whether Clerk created `a` after `b` (by `createdAt`, then id): of two memberships of one user
 * in one organization, the later is the current one (leaving and rejoining makes a new id).
 */
export function createdLater(a: { createdAt?: number; clerkId: string }, b: { createdAt?: number; clerkId: string }): boolean {
  const at = a.createdAt ?? 0;
  const bt = b.createdAt ?? 0;
  return at !== bt ? at > bt : a.clerkId > b.clerkId;
}
