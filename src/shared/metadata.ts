/**
 * Clerk's public metadata made storable by Convex. Users, organizations and memberships all carry
 * it, so the one place that knows Convex's value rules for it is here.
 */

/** Clerk caps public metadata at 8 KB; anything far past that is not Clerk's data. */
export const MAX_METADATA_BYTES = 64 * 1024;
/** Convex nests values at most 64 deep; keep well inside it, the row adds its own levels. */
export const MAX_METADATA_DEPTH = 16;
/**
 * Prefix for keys Convex cannot store (`$x`, `_x`, empty, non-ASCII): `$x` is stored as `~$x`.
 * Keys already starting with `~` get it too, so no two keys ever map to one.
 */
export const ESCAPED_KEY_PREFIX = "~";

/**
 * Makes Clerk's public metadata storable by Convex without losing it:
 * keys Convex rejects are prefixed with `~`, values nested past the depth limit are
 * kept as a JSON string, and metadata too large for a row is dropped (with a warning)
 * rather than failing every retry of the webhook.
 */
export function storableMetadata(metadata: unknown): Record<string, unknown> | undefined {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) return undefined;
  if (Object.keys(metadata).length === 0) return undefined;
  const json = JSON.stringify(metadata);
  if (new TextEncoder().encode(json).length > MAX_METADATA_BYTES) {
    console.warn(`convex-clerk-users: public_metadata over ${MAX_METADATA_BYTES} bytes was not stored`);
    return undefined;
  }
  return storable(metadata, 0) as Record<string, unknown>;
}

function storable(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== "object") {
    // JSON has no undefined, bigint or NaN; numbers and strings store as they are.
    return value;
  }
  if (depth >= MAX_METADATA_DEPTH) return JSON.stringify(value);
  if (Array.isArray(value)) return value.map((item) => storable(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[storableKey(key)] = storable(item, depth + 1);
  }
  return out;
}

// Convex field names: non-empty, printable ASCII, not starting with `$` or `_`.
const STORABLE_KEY = /^[\x20-\x7E]+$/;

function storableKey(key: string): string {
  if (STORABLE_KEY.test(key) && !/^[$_~]/.test(key)) return key;
  const ascii = key.replace(/[^\x20-\x7E]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return ESCAPED_KEY_PREFIX + ascii;
}
