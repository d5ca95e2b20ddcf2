/**
 * The two implementations under test, each a fresh convex-test backend on demand:
 * - `convex-clerk-users`: bench/component-app, the README's setup (registerRoutes, no hooks)
 *   with the component registered from src/component;
 * - `baseline`: bench/baseline, Convex's Clerk guide (svix + one upsert/delete mutation
 *   by `externalId`, `getCurrentUserOrThrow`).
 */
import path from "node:path";
import type { UserJSON } from "@clerk/backend";
import { convexTest } from "convex-test";
import type { GenericSchema, SchemaDefinition } from "convex/server";
import componentSchema from "../../src/component/schema.js";
import { userFromClerk } from "../../src/shared/clerkUser.js";
import { WEBHOOK_SECRET, type Delivery } from "../../test/fixtures/clerk.js";
import { api as baselineApi } from "../baseline/convex/_generated/api.js";
import baselineSchema from "../baseline/convex/schema.js";
import { userAttributes } from "../baseline/convex/users.js";
import { api as appApi, components } from "../component-app/convex/_generated/api.js";
import appSchema from "../component-app/convex/schema.js";
import { instrumentedModules, instrumentSyscalls } from "./instrument.js";

export const root = path.resolve(import.meta.dirname, "../..");
export const WEBHOOK_PATH = "/clerk-users-webhook";

/** A user row without its system fields, keyed by Clerk id. */
export type Rows = Map<string, Record<string, unknown>>;

export type Backend = {
  post(delivery: Delivery): Promise<Response>;
  /** One query running the app's auth check once / twice, as the signed-in `clerkId`. */
  authOnce(clerkId: string): Promise<unknown>;
  authTwice(clerkId: string): Promise<unknown>;
  rows(): Promise<Rows>;
};

export type Implementation = {
  name: string;
  create(): Backend;
  /** The row this implementation should hold for Clerk's latest version of a user. */
  expectedRow(user: UserJSON): Record<string, unknown>;
};

type AnySchema = SchemaDefinition<GenericSchema, boolean>;

function backend(schema: AnySchema, dir: string) {
  process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
  const t = convexTest(schema, instrumentedModules(path.join(root, dir), "app"));
  instrumentSyscalls();
  return t;
}

const post = (t: ReturnType<typeof backend>, delivery: Delivery) => t.fetch(WEBHOOK_PATH, { method: "POST", headers: delivery.headers, body: delivery.body });

function withoutSystemFields(doc: Record<string, unknown>) {
  const { _id, _creationTime, ...fields } = doc;
  return fields;
}

export const component: Implementation = {
  name: "convex-clerk-users",
  create() {
    const t = backend(appSchema as AnySchema, "bench/component-app/convex");
    t.registerComponent("clerkUsers", componentSchema as AnySchema, instrumentedModules(path.join(root, "src/component"), "component"));
    return {
      post: (delivery) => post(t, delivery),
      authOnce: (clerkId) => t.withIdentity({ subject: clerkId }).query(appApi.users.authOnce, {}),
      authTwice: (clerkId) => t.withIdentity({ subject: clerkId }).query(appApi.users.authTwice, {}),
      async rows() {
        const { page } = await t.query(components.clerkUsers.users.list, { paginationOpts: { numItems: 1_000_000, cursor: null } });
        return new Map(page.map((user) => [user.clerkId, withoutSystemFields(user)]));
      },
    };
  },
  expectedRow: (user) => userFromClerk(user),
};

export const baseline: Implementation = {
  name: "baseline",
  create() {
    const t = backend(baselineSchema as AnySchema, "bench/baseline/convex");
    return {
      post: (delivery) => post(t, delivery),
      authOnce: (clerkId) => t.withIdentity({ subject: clerkId }).query(baselineApi.users.authOnce, {}),
      authTwice: (clerkId) => t.withIdentity({ subject: clerkId }).query(baselineApi.users.authTwice, {}),
      async rows() {
        const users = await t.run((ctx) => ctx.db.query("users").collect());
        const rows: Rows = new Map();
        // Two rows for one user would be a difference too: keep the first, count the rest.
        for (const user of users) rows.set(rows.has(user.externalId) ? `${user.externalId}#${user._id}` : user.externalId, withoutSystemFields(user));
        return rows;
      },
    };
  },
  expectedRow: (user) => userAttributes(user),
};
