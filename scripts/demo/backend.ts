/**
 * The example app on convex-test's embedded backend, in plain Node (no vitest, no vite).
 *
 * convex-test normally receives `import.meta.glob(...)` maps. Here the same maps are
 * built from the file system: keys are paths relative to scripts/ (convex-test only
 * needs them to share a prefix, which it finds from the `_generated` key), values
 * import the module lazily, as a glob would.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { convexTest } from "convex-test";
import appSchema from "../../example/convex/schema";
import componentSchema from "../../src/component/schema";

type ModuleMap = Record<string, () => Promise<unknown>>;

const scriptsDir = path.resolve(import.meta.dirname, "..");

/** What `import.meta.glob(["<dir>/**\/*.ts", "!**\/*.test.ts"])` would return, for Node. */
export function modulesIn(dir: string): ModuleMap {
  const modules: ModuleMap = {};
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts") || entry.name.endsWith(".test.ts")) continue;
    const file = path.join(entry.parentPath, entry.name);
    const key = path.relative(scriptsDir, file).split(path.sep).join("/"); // "../example/convex/http.ts"
    modules[key] = () => import(pathToFileURL(file).href);
  }
  return modules;
}

/** A fresh backend running example/convex (with `replace`'s modules in place of or beside its own), with the component installed as `clerkUsers`. */
export function startBackend(replace: ModuleMap = {}) {
  const t = convexTest(appSchema, { ...modulesIn(path.resolve(scriptsDir, "../example/convex")), ...replace });
  t.registerComponent("clerkUsers", componentSchema, modulesIn(path.resolve(scriptsDir, "../src/component")));
  return t;
}

export type Backend = ReturnType<typeof startBackend>;
