import type { UserChange } from "../shared/validators.js";

/** What is stored for one Clerk id when a change arrives. */
export type Stored = { updatedAt: number } | "deleted" | null;

export type Decision =
  | { write: "insert" }
  | { write: "replace" }
  | { write: "delete" }
  | { write: "tombstone" }
  | { write: "none"; why: "duplicate" | "stale" | "tombstoned" };

/**
 * Decides what one change does to what is stored, so that any order and any number
 * of repeats of Clerk's deliveries converge to Clerk's latest state:
 * - a version replaces only an older one (Clerk's `updated_at`), a repeat writes nothing;
 * - a delete is final (Clerk never reuses ids), so it wins over every version, early or late.
 */
export function decide(change: UserChange, stored: Stored): Decision {
  if (change.kind === "delete") {
    if (stored === "deleted") return { write: "none", why: "duplicate" };
    return stored === null ? { write: "tombstone" } : { write: "delete" };
  }
  if (stored === "deleted") return { write: "none", why: "tombstoned" };
  if (stored === null) return { write: "insert" };
  if (change.user.updatedAt > stored.updatedAt) return { write: "replace" };
  return { write: "none", why: change.user.updatedAt === stored.updatedAt ? "duplicate" : "stale" };
}
