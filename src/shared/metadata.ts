/**
 * Clerk's public metadata made storable by Convex. Users, organizations and memberships all carry
 * it, so the one place that knows Convex's value rules for it is here.
 *
 * Clerk accepts any JSON up to 8 KB; Convex stores objects of at most 1,024 fields whose names are
 * 1 to 1,024 printable ASCII characters not starting with `$` or `_`, arrays of at most 8,192
 * elements, 64 levels of nesting and 1 MiB per document (docs.convex.dev/database/types, and
 * `validateObjectField` in `convex/values`). convex-test checks few of these, so this code does:
 * a value Convex would refuse must never reach a mutation's arguments, where it fails every
 * webhook retry and every resync page it is in.
 */
import { getConvexSize, type Value } from "convex/values";

/**
 * The most metadata a row holds, as Convex measures it (`getConvexSize`). Clerk's 8 KB is at most
 * about 40 KB measured so, escaping included; the rest of the row's 1 MiB is left to its other
 * fields, and a resync page carries many rows in one mutation's arguments.
 */
export const MAX_METADATA_SIZE = 64 * 1024;
/** Convex nests values at most 64 deep; keep well inside it, the row and the arguments add their own levels. */
export const MAX_METADATA_DEPTH = 16;
/** Convex's limits on field names, fields per object and array elements. */
export const MAX_FIELD_NAME_LENGTH = 1024;
export const MAX_OBJECT_FIELDS = 1024;
export const MAX_ARRAY_ELEMENTS = 8192;
/**
 * Prefix of keys Convex cannot store as they are (`$x`, `_x`, empty, non-ASCII): `$x` is stored
 * as `~$x`. Keys already starting with `~` get it too, so no plain key looks escaped.
 */
export const ESCAPED_KEY_PREFIX = "~";

/**
 * Makes Clerk's public metadata storable by Convex, keeping all it can:
 * - keys Convex rejects are escaped (`storableKey`); a key too long for Convex even so is dropped;
 * - a nested value Convex cannot hold as it is (past the depth limit, an object of more than
 *   1,024 fields, an array of more than 8,192 elements) is kept whole, as its JSON text;
 * - the top level keeps its first 1,024 fields;
 * - metadata over `MAX_METADATA_SIZE` is not stored.
 * Whatever is dropped is named in a `console.warn`; nothing here throws.
 */
export function storableMetadata(metadata: unknown): Record<string, unknown> | undefined {
  if (!isObject(metadata)) return undefined;
  const report: Report = { dropped: [], asText: [] };
  const entries = Object.entries(metadata);
  if (entries.length > MAX_OBJECT_FIELDS) {
    report.dropped.push(`the fields past the first ${MAX_OBJECT_FIELDS} of ${entries.length} fields`);
  }
  const stored = storableEntries(entries.slice(0, MAX_OBJECT_FIELDS), 1, "", report);
  if (report.dropped.length > 0) {
    console.warn(`convex-clerk-users: public_metadata is stored without ${report.dropped.join("; ")} (Convex cannot store them)`);
  }
  if (report.asText.length > 0) {
    console.warn(`convex-clerk-users: public_metadata keeps ${report.asText.join("; ")} as JSON text (Convex cannot store them as they are)`);
  }
  if (Object.keys(stored).length === 0) return undefined;
  const size = getConvexSize(stored as Value);
  if (size > MAX_METADATA_SIZE) {
    console.warn(`convex-clerk-users: public_metadata of ${size} bytes (over ${MAX_METADATA_SIZE}) was not stored`);
    return undefined;
  }
  return stored;
}

/** What was left out or changed, for the one warning per metadata. */
type Report = { dropped: string[]; asText: string[] };

/** `value` at nesting level `level` (the metadata object itself is level 1), storable. */
function storableValue(value: unknown, level: number, path: string, report: Report): unknown {
  if (value === null || typeof value !== "object") return value; // JSON's scalars store as they are
  // Kept as JSON text: whole, readable with JSON.parse, and one string to Convex.
  const asText = (why: string) => {
    report.asText.push(`${path} (${why})`);
    return JSON.stringify(value);
  };
  if (level > MAX_METADATA_DEPTH) return asText(`nested over ${MAX_METADATA_DEPTH} levels`);
  if (Array.isArray(value)) {
    if (value.length > MAX_ARRAY_ELEMENTS) return asText(`${value.length} elements`);
    return value.map((item, i) => storableValue(item, level + 1, `${path}[${i}]`, report));
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_OBJECT_FIELDS) return asText(`${entries.length} fields`);
  return storableEntries(entries, level, path, report);
}

function storableEntries(entries: [string, unknown][], level: number, path: string, report: Report) {
  const out: [string, unknown][] = [];
  for (const [key, item] of entries) {
    const stored = storableKey(key);
    if (stored === undefined) {
      report.dropped.push(`a ${key.length}-character key${path ? ` in ${path}` : ""}`);
      continue;
    }
    out.push([stored, storableValue(item, level + 1, `${path}.${stored.slice(0, 40)}`, report)]);
  }
  // fromEntries defines own properties: a `__proto__` key can never set a prototype.
  return Object.fromEntries(out);
}

// Printable ASCII, not starting with `$` or `_` (Convex's rules) nor `~` (the escape's prefix).
const PLAIN_KEY = /^[\x20-\x7E]+$/;
const ESCAPED_START = /^[$_~]/;

/**
 * The field name a metadata key is stored under, or undefined when Convex cannot hold it even
 * escaped (over 1,024 characters). A key Convex accepts is kept as it is; any other gets
 * `ESCAPED_KEY_PREFIX`, with `\` written `\\` and each character outside printable ASCII as
 * `\uXXXX` (one per UTF-16 unit). Injective: every `\` in an escaped key starts an escape,
 * so the original key is always read back, and plain keys never start with the prefix.
 * ```ts
 * storableKey("role");   // "role"
 * storableKey("$é");     // "~$\\u00e9"
 * storableKey("$\\u00e9"); // "~$\\\\u00e9"
 * ```
 */
export function storableKey(key: string): string | undefined {
  const stored =
    PLAIN_KEY.test(key) && !ESCAPED_START.test(key)
      ? key
      : ESCAPED_KEY_PREFIX + key.replace(/[^\x20-\x5B\x5D-\x7E]/g, (ch) => (ch === "\\" ? "\\\\" : `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`));
  return stored.length <= MAX_FIELD_NAME_LENGTH ? stored : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
