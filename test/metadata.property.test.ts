import fc from "fast-check";
import { describe, expect, test, vi } from "vitest";
import { getConvexSize, type Value } from "convex/values";
import { ESCAPED_KEY_PREFIX, MAX_FIELD_NAME_LENGTH, MAX_METADATA_SIZE, storableKey, storableMetadata } from "../src/shared/metadata.js";
import { expectStorable } from "./storable";

// Escaping must lose nothing: two distinct metadata keys are never stored under one name
// (one value would silently replace the other), and whatever comes out is storable.

/** The inverse of `storableKey`: its existence is what makes the escaping injective. */
function originalKey(stored: string): string {
  if (!stored.startsWith(ESCAPED_KEY_PREFIX)) return stored;
  return stored
    .slice(ESCAPED_KEY_PREFIX.length)
    .replace(/\\(\\|u([0-9a-f]{4}))/g, (_, escape: string, hex?: string) => (hex ? String.fromCharCode(parseInt(hex, 16)) : escape));
}

/** Keys from the characters escaping treats specially, so near-collisions are common. */
const trickyKey = fc
  .array(fc.constantFrom("$", "_", "~", "\\", "u", "0", "e", "9", "é", "\u00e9", "ж", "\u0000", "\ud83d", "\ude00", "a", " "), { maxLength: 12 })
  .map((chars) => chars.join(""));
/**
 * Pairs of keys that differ only in how some characters are written: as themselves, or as the
 * literal text of their `\\uXXXX` escape (the collision of a naive escaping).
 */
const lookalikes = fc
  .tuple(
    fc.constantFrom("", "$", "_", "~", "a"),
    fc.array(fc.tuple(fc.constantFrom("é", "ж", "\u0000", "\\", "a", "😀"), fc.boolean(), fc.boolean()), { maxLength: 6 }),
  )
  .map(([start, parts]) => {
    const spell = (ch: string, escaped: boolean) =>
      escaped
        ? ch
            .split("")
            .map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`)
            .join("")
        : ch;
    return [start + parts.map(([ch, a]) => spell(ch, a)).join(""), start + parts.map(([ch, , b]) => spell(ch, b)).join("")] as const;
  });
const anyKey = fc.oneof(trickyKey, fc.string({ unit: "binary", maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 40 }));

describe("storableKey", () => {
  test("the keys from the issue stay apart: `$é` and the literal `$\\u00e9`", () => {
    const stored = storableMetadata({ $é: 1, "$\\u00e9": 2 });
    expect(Object.keys(stored!)).toHaveLength(2);
    expect(Object.values(stored!).sort()).toEqual([1, 2]);
  });

  test("distinct keys always map to distinct storable keys", () => {
    fc.assert(
      fc.property(fc.oneof(lookalikes, fc.tuple(anyKey, anyKey)), ([a, b]) => {
        fc.pre(a !== b && storableKey(a) !== undefined && storableKey(b) !== undefined);
        const stored = storableMetadata({ [a]: "first", [b]: "second" });
        expect(Object.values(stored!).sort()).toEqual(["first", "second"]);
      }),
      { numRuns: 5000 },
    );
  });

  test("every stored key reads back as the original, and is a valid Convex field name", () => {
    fc.assert(
      fc.property(anyKey, (key) => {
        const stored = storableKey(key);
        if (stored === undefined) return;
        expect(originalKey(stored)).toBe(key);
        expect(stored.length).toBeLessThanOrEqual(MAX_FIELD_NAME_LENGTH);
        expectStorable({ [stored]: 1 });
      }),
      { numRuns: 5000 },
    );
  });

  test("a key is dropped only when even escaped it is over Convex's 1,024 characters", () => {
    const escapedLength = (key: string) =>
      /^[\x20-\x7E]+$/.test(key) && !/^[$_~]/.test(key)
        ? key.length
        : 1 + [...key].reduce((n, ch) => n + (ch === "\\" ? 2 : /[\x20-\x7E]/.test(ch) ? 1 : 6 * ch.length), 0);
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", minLength: 150, maxLength: 1100 }), fc.string({ minLength: 1000, maxLength: 1100 })), (key) => {
        expect(storableKey(key) === undefined).toBe(escapedLength(key) > MAX_FIELD_NAME_LENGTH);
      }),
    );
  });
});

describe("storableMetadata", () => {
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small", maxDepth: 20 }, fc.string(), fc.double(), fc.boolean(), fc.constant(null), tie("array"), tie("object")),
    array: fc.array(tie("value"), { maxLength: 4 }),
    object: fc.dictionary(anyKey, tie("value"), { maxKeys: 5 }),
  })).value;

  test("whatever JSON Clerk sends, the result passes Convex's value rules and fits the budget", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    fc.assert(
      fc.property(fc.dictionary(anyKey, json, { maxKeys: 8 }), (metadata) => {
        const stored = storableMetadata(metadata);
        if (stored === undefined) return;
        expectStorable(stored);
        expect(getConvexSize(stored as Value)).toBeLessThanOrEqual(MAX_METADATA_SIZE);
        // Nothing lost: every key is there, under its own name.
        expect(Object.keys(stored).map(originalKey).sort()).toEqual(Object.keys(metadata).sort());
      }),
      { numRuns: 500 },
    );
    warn.mockRestore();
  });
});
