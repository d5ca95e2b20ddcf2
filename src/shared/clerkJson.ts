import { v, type Validator } from "convex/values";
import { validate } from "convex-helpers/validators";

/**
 * What every Clerk object this package stores must have, whatever its kind: a non-empty id (an
 * empty one would be a row no list can page past) and a finite `updated_at` (`1e999` parses to
 * Infinity, and a version from infinitely far ahead would make every later real one stale).
 */

/** A field Clerk may send as null or leave out; stored as absent. */
export const nullable = <T extends Parameters<typeof v.optional>[0]>(value: T) => v.optional(v.union(v.null(), value));

/**
 * Whether `json` has the shape `validator` describes (unknown fields allowed: Clerk adds fields
 * over time), with a non-empty `id` and a finite `updated_at` where the shape has them.
 */
export function isClerkObject(validator: Validator<unknown, "required", string>, json: unknown): boolean {
  if (!validate(validator, json, { allowUnknownFields: true })) return false;
  const { id, updated_at } = json as { id?: unknown; updated_at?: unknown };
  if (typeof id === "string" && id.length === 0) return false;
  if (typeof updated_at === "number" && !Number.isFinite(updated_at)) return false;
  return true;
}

/** Leaves out the fields that are undefined, so a row stores nulls as absent fields. */
export function withoutUndefined<T extends object>(row: T): T {
  return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== undefined)) as T;
}
