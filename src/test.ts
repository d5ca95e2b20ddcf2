/// <reference types="vite/client" />
import type { TestConvex } from "convex-test";
import type { GenericSchema, SchemaDefinition } from "convex/server";
import schema from "./component/schema.js";

const modules = import.meta.glob("./component/**/*.ts");

/**
 * Registers this component with a convex-test instance, under the name your
 * `convex.config.ts` gives it.
 * ```ts
 * import clerkUsersTest from "convex-clerk-users/test";
 * const t = convexTest(schema, modules);
 * clerkUsersTest.register(t);
 * ```
 */
export function register(t: TestConvex<SchemaDefinition<GenericSchema, boolean>>, name: string = "clerkUsers") {
  t.registerComponent(name, schema, modules);
}

export default { register, schema, modules };
