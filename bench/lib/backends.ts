/**
 * The two implementations under test, each a fresh convex-test backend on demand:
 * - `convex-clerk-users`: bench/component-app, the README's setup (registerRoutes, no hooks)
 *   with the component registered from src/component;
 * - `baseline`: bench/baseline, Convex's Clerk guide (svix + one upsert/delete mutation
 *   by `externalId`, `getCurrentUserOrThrow`), and its pattern applied to memberships.
 */
import path from "node:path";
import type { OrganizationJSON, OrganizationMembershipJSON, UserJSON } from "@clerk/backend";
import { convexTest } from "convex-test";
import type { GenericMutationCtx, GenericSchema, SchemaDefinition } from "convex/server";
import componentSchema from "../../src/component/schema.js";
import { membershipFromClerk } from "../../src/shared/kinds/membership.js";
import { organizationFromClerk } from "../../src/shared/kinds/organization.js";
import { userFromClerk } from "../../src/shared/kinds/user.js";
import { WEBHOOK_SECRET, type Delivery } from "../../test/fixtures/clerk.js";
import { api as baselineApi } from "../baseline/convex/_generated/api.js";
import baselineSchema from "../baseline/convex/schema.js";
import { membershipAttributes } from "../baseline/convex/memberships.js";
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
  /** One query running the app's membership check (`org:admin` of `orgId`) once, as `userId`. */
  requireAdmin(userId: string, orgId: string): Promise<unknown>;
  /** The memberships table, keyed by Clerk's membership id (a second row for one id gets a key of its own). */
  memberships(): Promise<Rows>;
  /** The organizations table, or null if this implementation keeps none. */
  organizations(): Promise<Rows | null>;
};

export type Implementation = {
  name: string;
  create(): Backend;
  /** The row this implementation should hold for Clerk's latest version of a user. */
  expectedRow(user: UserJSON): Record<string, unknown>;
  expectedMembership(membership: OrganizationMembershipJSON): Record<string, unknown>;
  expectedOrganization(organization: OrganizationJSON): Record<string, unknown>;
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

/** Rows of a table keyed by `key`; two rows for one key are a difference too: the first keeps the key, the rest get their own. */
function keyed(docs: Record<string, unknown>[], key: string): Rows {
  const rows: Rows = new Map();
  for (const doc of docs)
    rows.set(rows.has(doc[key] as string) ? `${doc[key] as string}#${doc._id as string}` : (doc[key] as string), withoutSystemFields(doc));
  return rows;
}

type Ctx = GenericMutationCtx<any>;
/** convex-test runs a function inside a component with `runInComponent`, which its types do not declare yet. */
type ComponentRunner = { runInComponent<T>(componentPath: string, fn: (ctx: Ctx) => Promise<T>): Promise<T> };

/** bench/component-app with the component registered from src/component: what `component.create()` drives, for benches that need more. */
export function componentTest() {
  const t = backend(appSchema as AnySchema, "bench/component-app/convex");
  t.registerComponent("clerkUsers", componentSchema as AnySchema, instrumentedModules(path.join(root, "src/component"), "component"));
  /** Runs `fn` inside the component, past its API (reading its tables whole, seeding them). */
  const inComponent = <T>(fn: (ctx: Ctx) => Promise<T>) => (t as unknown as ComponentRunner).runInComponent("clerkUsers", fn);
  return { t, inComponent };
}

export const component: Implementation = {
  name: "convex-clerk-users",
  create() {
    const { t, inComponent } = componentTest();
    return {
      post: (delivery) => post(t, delivery),
      authOnce: (clerkId) => t.withIdentity({ subject: clerkId }).query(appApi.users.authOnce, {}),
      authTwice: (clerkId) => t.withIdentity({ subject: clerkId }).query(appApi.users.authTwice, {}),
      async rows() {
        const { page } = await t.query(components.clerkUsers.users.list, { paginationOpts: { numItems: 1_000_000, cursor: null } });
        return new Map(page.map((user) => [user.clerkId, withoutSystemFields(user)]));
      },
      requireAdmin: (userId, orgId) => t.withIdentity({ subject: userId }).query(appApi.memberships.requireAdmin, { orgId }),
      memberships: async () => keyed(await inComponent((ctx) => ctx.db.query("memberships").collect()), "clerkId"),
      organizations: async () => keyed(await inComponent((ctx) => ctx.db.query("organizations").collect()), "clerkId"),
    };
  },
  expectedRow: (user) => userFromClerk(user),
  expectedMembership: (membership) => membershipFromClerk(membership),
  expectedOrganization: (organization) => organizationFromClerk(organization),
};

export const baseline: Implementation = {
  name: "baseline",
  create() {
    const t = backend(baselineSchema as AnySchema, "bench/baseline/convex");
    return {
      post: (delivery) => post(t, delivery),
      authOnce: (clerkId) => t.withIdentity({ subject: clerkId }).query(baselineApi.users.authOnce, {}),
      authTwice: (clerkId) => t.withIdentity({ subject: clerkId }).query(baselineApi.users.authTwice, {}),
      rows: async () => keyed(await t.run((ctx) => ctx.db.query("users").collect()), "externalId"),
      requireAdmin: (userId, orgId) => t.withIdentity({ subject: userId }).query(baselineApi.memberships.requireAdmin, { orgId }),
      memberships: async () => keyed(await t.run((ctx) => ctx.db.query("memberships").collect()), "externalId"),
      organizations: async () => null,
    };
  },
  expectedRow: (user) => userAttributes(user),
  expectedMembership: (membership) => membershipAttributes(membership),
  expectedOrganization: () => ({}),
};
