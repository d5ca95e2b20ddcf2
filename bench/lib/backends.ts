/**
 * The two implementations under test, each a fresh convex-test backend on demand:
 * - `convex-clerk-users`: bench/component-app, the README's setup (registerRoutes, no hooks)
 *   with the component registered from src/component;
 * - `baseline`: bench/baseline, Convex's Clerk guide (svix + one upsert/delete mutation
 *   by `externalId`, `getCurrentUserOrThrow`), and its pattern applied to memberships and to
 *   Clerk Billing's items.
 */
import path from "node:path";
import { convexTest } from "convex-test";
import type { GenericMutationCtx, GenericSchema, SchemaDefinition } from "convex/server";
import componentSchema from "../../src/component/schema.js";
import { membership } from "../../src/shared/kinds/membership.js";
import { changesOfEvent, type AnyKind } from "../../src/shared/kinds/registry.js";
import { subscriptionItem } from "../../src/shared/kinds/subscriptionItem.js";
import { user } from "../../src/shared/kinds/user.js";
import { WEBHOOK_SECRET, type Delivery } from "../../test/fixtures/clerk.js";
import { api as baselineApi } from "../baseline/convex/_generated/api.js";
import baselineSchema from "../baseline/convex/schema.js";
import { itemAttributes } from "../baseline/convex/billing.js";
import { membershipAttributes } from "../baseline/convex/memberships.js";
import { userAttributes } from "../baseline/convex/users.js";
import { api as appApi } from "../component-app/convex/_generated/api.js";
import appSchema from "../component-app/convex/schema.js";
import { instrumentedModules, instrumentSyscalls } from "./instrument.js";

export const root = path.resolve(import.meta.dirname, "../..");
export const WEBHOOK_PATH = "/clerk-users-webhook";

/** A table's rows without their system fields, keyed by Clerk id (a second row for one id gets a key of its own). */
export type Rows = Map<string, Record<string, unknown>>;

export type Backend = {
  post(delivery: Delivery): Promise<Response>;
  /** One query running the app's auth check once / twice, as the signed-in `clerkId`. */
  authOnce(clerkId: string): Promise<unknown>;
  authTwice(clerkId: string): Promise<unknown>;
  /** One query running the app's membership check (`org:admin` of `orgId`) once, as `userId`. */
  requireAdmin(userId: string, orgId: string): Promise<unknown>;
  /** The rows it keeps of a kind, or null if it keeps none. */
  rows(kind: AnyKind): Promise<Rows | null>;
  /** The package only: one query reading a payer's billing (`billing.getByPayer`), and a plan catalog to read beside it. */
  billing?: { get(payer: { userId: string } | { orgId: string }): Promise<unknown>; seedPlans(plans: readonly Record<string, unknown>[]): Promise<void> };
};

export type Implementation = {
  name: string;
  /** Its schemas, by where its functions run (the conflict model keys documents by their indexes). */
  schemas: { app: AnySchema; component?: AnySchema };
  create(): Backend;
  /** The row this implementation should hold for Clerk's latest version of an object of `kind`. */
  expected(kind: AnyKind, json: unknown): Record<string, unknown>;
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
  schemas: { app: appSchema as AnySchema, component: componentSchema as AnySchema },
  create() {
    const { t, inComponent } = componentTest();
    return {
      post: (delivery) => post(t, delivery),
      authOnce: (clerkId) => t.withIdentity({ subject: clerkId }).query(appApi.users.authOnce, {}),
      authTwice: (clerkId) => t.withIdentity({ subject: clerkId }).query(appApi.users.authTwice, {}),
      requireAdmin: (userId, orgId) => t.withIdentity({ subject: userId }).query(appApi.memberships.requireAdmin, { orgId }),
      rows: async (kind) => keyed(await inComponent((ctx) => ctx.db.query(kind.table).collect()), "clerkId"),
      billing: {
        get: (payer) => t.query(appApi.billing.getBilling, { payer }),
        seedPlans: async (plans) => {
          await inComponent(async (ctx) => {
            for (const plan of plans) await ctx.db.insert("billingPlans", plan);
          });
        },
      },
    };
  },
  expected(kind, json) {
    // Its listing's mapping, or (a kind Clerk does not list: payment attempts) its webhook's.
    const row = kind.api ? kind.api.toRow(json) : webhookRow(kind, json);
    if (!row) throw new Error(`bench: the stream's ${kind.name} is not one the package stores`);
    return row;
  },
};

/** The row the webhook stores of `json`, sent as the kind's first event. */
function webhookRow(kind: AnyKind, json: unknown) {
  const asked = changesOfEvent(kind.webhook.events[0]!, json);
  if (!("changes" in asked)) return null;
  const change = asked.changes.find((c) => c.kind === kind.name && c.op === "upsert");
  return change?.op === "upsert" ? (change.row as Record<string, unknown>) : null;
}

/** The guide's tables (keyed by `externalId`) and how it maps Clerk's JSON, by kind: it keeps users, memberships and billing items only. */
const BASELINE_KINDS = new Map<string, { table: string; expected(json: any): Record<string, unknown> }>([
  [user.name, { table: "users", expected: userAttributes }],
  [membership.name, { table: "memberships", expected: membershipAttributes }],
  [subscriptionItem.name, { table: "items", expected: (json) => itemAttributes(json) }],
]);

export const baseline: Implementation = {
  name: "baseline",
  schemas: { app: baselineSchema as AnySchema },
  create() {
    const t = backend(baselineSchema as AnySchema, "bench/baseline/convex");
    return {
      post: (delivery) => post(t, delivery),
      authOnce: (clerkId) => t.withIdentity({ subject: clerkId }).query(baselineApi.users.authOnce, {}),
      authTwice: (clerkId) => t.withIdentity({ subject: clerkId }).query(baselineApi.users.authTwice, {}),
      requireAdmin: (userId, orgId) => t.withIdentity({ subject: userId }).query(baselineApi.memberships.requireAdmin, { orgId }),
      async rows(kind) {
        const kept = BASELINE_KINDS.get(kind.name);
        return kept ? keyed(await t.run((ctx) => ctx.db.query(kept.table).collect()), "externalId") : null;
      },
    };
  },
  expected: (kind, json) => BASELINE_KINDS.get(kind.name)?.expected(json) ?? {},
};
