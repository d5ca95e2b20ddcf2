import { expect } from "vitest";
import { convexToJson, type Value } from "convex/values";

// convex-test enforces few of Convex's value rules; tests of what the package stores hold
// the stored values to all of them here, so a row production would refuse fails a test.

/** Convex's value rules (docs.convex.dev/database/types, `convex/values`), checked on `value`. */
export function expectStorable(value: unknown) {
  // Field names: convexToJson applies Convex's own rules (<= 1,024 characters, printable ASCII, no `$`).
  expect(() => convexToJson(value as Value)).not.toThrow();
  const problems: string[] = [];
  const walk = (node: unknown, path: string, depth: number) => {
    if (depth > 64) problems.push(`${path}: nested deeper than 64`);
    if (Array.isArray(node)) {
      if (node.length > 8192) problems.push(`${path}: ${node.length} array elements`);
      node.forEach((item, i) => walk(item, `${path}[${i}]`, depth + 1));
    } else if (node !== null && typeof node === "object") {
      const entries = Object.entries(node);
      if (entries.length > 1024) problems.push(`${path}: ${entries.length} fields`);
      for (const [key, item] of entries) {
        const systemField = depth === 0 && (key === "_id" || key === "_creationTime");
        if (key === "" || key.startsWith("$") || (key.startsWith("_") && !systemField)) problems.push(`${path}: field name ${JSON.stringify(key)}`);
        walk(item, `${path}.${key.slice(0, 20)}`, depth + 1);
      }
    }
  };
  walk(value, "", 0);
  expect(problems).toEqual([]);
}
