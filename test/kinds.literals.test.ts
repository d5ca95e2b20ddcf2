import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { KINDS } from "../src/shared/kinds/registry";

// A kind is one module: outside the kinds' own modules and the registry (and the test kit's
// per-kind event builders), no code spells a kind's name or table as a string.

const root = path.resolve(import.meta.dirname, "../src");
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return ["_generated", "kinds", "testkit"].includes(name) ? [] : files(full);
    return full.endsWith(".ts") ? [full] : [];
  });
}
const names = KINDS.flatMap((kind) => [kind.name, kind.table]);

test("no engine, client or component module spells a kind's name or table as a string literal", () => {
  const found = files(root).flatMap((file) => {
    const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
    return names.filter((name) => new RegExp(`["'\`]${name}["'\`]`).test(code)).map((name) => `${path.relative(root, file)}: "${name}"`);
  });
  expect(found).toEqual([]);
});
