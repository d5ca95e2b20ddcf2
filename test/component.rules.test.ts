import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";

/**
 * Convex withholds some things from a component's functions that convex-test still allows, so a
 * component that passes every test here could fail on a deployment. This reads the component's
 * own source for them.
 */
const dir = path.resolve(import.meta.dirname, "../src/component");
const sources = readdirSync(dir, { recursive: true, encoding: "utf8" })
  .filter((file) => file.endsWith(".ts") && !file.startsWith("_generated"))
  .map((file) => ({ file: file.split(path.sep).join("/"), code: readFileSync(path.join(dir, file), "utf8") }));

describe("the component uses nothing Convex withholds from components", () => {
  test("its modules are all read", () => {
    expect(sources.map((s) => s.file)).toEqual(expect.arrayContaining(["resync.ts", "resync/listing.ts", "resync/reconcile.ts", "sync.ts", "users.ts"]));
  });

  test.each([
    ["the built-in .paginate() (unavailable inside components)", /\.paginate\s*\(/],
    ["ctx.auth (identity is read in the app and passed in)", /\bctx\.auth\b/],
    ["process.env (a component cannot read the app's env vars)", /\bprocess\.env\b/],
  ])("no %s", (_what, pattern) => {
    const uses = sources.filter(({ code }) => pattern.test(code.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ""))).map((s) => s.file);
    expect(uses).toEqual([]);
  });
});
