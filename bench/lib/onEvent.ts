/**
 * What an event the package does not sync costs (`session.created`, `email.created`...), handed to
 * the app's `onEvent` (`defineClerkHooks`, through registerRoutes' `hooks`), beside what a second
 * hand-written endpoint would do (bench/baseline/convex/events.ts: svix verification and the app's
 * write, nothing remembered).
 *
 * On backends of their own: wired into bench/component-app's http.ts, the hooks would also run for
 * every synced change (one more mutation call and its bytes per real change, by design), and the
 * synced streams' figures are the README's setup with no hooks. So the app's hooks mutations live
 * in the bench's app (component-app/convex/events.ts, an `auditLog` row per delivery), and the
 * router that wires them replaces its http.ts here only.
 */
import path from "node:path";
import { convexTest } from "convex-test";
import { httpRouter, type GenericSchema, type SchemaDefinition } from "convex/server";
import { registerRoutes } from "convex-clerk-users";
import componentSchema from "../../src/component/schema.js";
import { clerkUser, sign, WEBHOOK_SECRET, type Delivery } from "../../test/fixtures/clerk.js";
import baselineSchema from "../baseline/convex/schema.js";
import { receiveEvent } from "../baseline/convex/events.js";
import { components, internal } from "../component-app/convex/_generated/api.js";
import appSchema from "../component-app/convex/schema.js";
import { component, root, WEBHOOK_PATH } from "./backends.js";
import { instrumentedModules, instrumentModule, instrumentSyscalls, measure, totalCalls, type Counts } from "./instrument.js";

type AnySchema = SchemaDefinition<GenericSchema, boolean>;

/** The route whose hooks have no `onEvent`, beside the default one whose hooks have it. */
const WITHOUT_ON_EVENT_PATH = "/clerk-users-webhook-change-hooks";
/** The app's own table, in both apps: what `onEvent` (and the baseline's endpoint) writes. */
export const APP_TABLE = "auditLog";

/** One case: each delivery's counts, its status and what the endpoint answered (`handled`, `duplicate`, `ignored`). */
export type OnEventCase = { counts: Counts[]; statuses: number[]; outcomes: (string | null)[] };
export type OnEventRun = {
  deliveries: number;
  pkg: {
    /** Each svix id's first delivery, to the route with `onEvent`. */
    first: OnEventCase;
    /** The same deliveries again (a Svix retry or a replay): answered from the remembered id. */
    redelivery: OnEventCase;
    /** Hooks without `onEvent`: the first unsynced delivery of an isolate (the webhook asks the app), then the rest (it remembers). */
    withoutOnEventFirst: OnEventCase;
    withoutOnEventLater: OnEventCase;
    /** The bench's app as the synced streams run it (no hooks): an unsynced delivery is recorded as ignored. */
    noHooks: OnEventCase;
    /** A synced change (`user.created`) on the route with hooks, and on the app with none: why onEvent is measured apart. */
    syncedWithHooks: Counts;
    syncedWithoutHooks: Counts;
    appRows: number;
  };
  base: { first: OnEventCase; redelivery: OnEventCase; appRows: number };
};

/** Clerk events this package does not sync, alternating: a sign-in and an email Clerk sent. */
function unsyncedEvent(i: number) {
  const at = Date.UTC(2025, 0, 1) + i * 60_000;
  const userId = `user_onevent_${String(i).padStart(4, "0")}`;
  const data =
    i % 2 === 0
      ? {
          object: "session",
          id: `sess_onevent_${i}`,
          user_id: userId,
          client_id: `client_onevent_${i}`,
          status: "active",
          last_active_at: at,
          expire_at: at + 7 * 86_400_000,
          abandon_at: at + 30 * 86_400_000,
          created_at: at,
          updated_at: at,
        }
      : {
          object: "email",
          id: `ema_onevent_${i}`,
          slug: "verification_code",
          to_email_address: `${userId}@example.com`,
          user_id: userId,
          status: "queued",
          subject: "Your code",
          body: "<p>123456</p>",
          delivered_by_clerk: true,
          data: {},
        };
  return {
    type: i % 2 === 0 ? "session.created" : "email.created",
    object: "event",
    data,
    timestamp: at,
    event_attributes: { http_request: { client_ip: "", user_agent: "" } },
  };
}

/** bench/component-app with its hooks wired: the default route's have `onEvent`, the other's do not. */
function packageBackend() {
  process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
  const dir = path.join(root, "bench/component-app/convex");
  // Fresh option objects per backend: the webhook remembers hooks without onEvent per reference, per isolate.
  const http = httpRouter();
  registerRoutes(http, components.clerkUsers, { hooks: internal.events.withOnEvent });
  registerRoutes(http, components.clerkUsers, { path: WITHOUT_ON_EVENT_PATH, hooks: internal.events.withoutOnEvent });
  const t = convexTest(appSchema as AnySchema, {
    ...instrumentedModules(dir, "app"),
    [path.join(dir, "http.ts")]: async () => instrumentModule({ default: http }, "app"),
  });
  t.registerComponent("clerkUsers", componentSchema as AnySchema, instrumentedModules(path.join(root, "src/component"), "component"));
  instrumentSyscalls();
  return t;
}

/** bench/baseline with its second endpoint (events.ts) on the webhook's path. */
function baselineBackend() {
  process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
  const dir = path.join(root, "bench/baseline/convex");
  const http = httpRouter();
  http.route({ path: WEBHOOK_PATH, method: "POST", handler: receiveEvent });
  const t = convexTest(baselineSchema as AnySchema, {
    ...instrumentedModules(dir, "app"),
    [path.join(dir, "http.ts")]: async () => instrumentModule({ default: http }, "app"),
  });
  instrumentSyscalls();
  return t;
}

type Poster = (delivery: Delivery) => Promise<Response>;

async function deliver(post: Poster, deliveries: readonly Delivery[]): Promise<OnEventCase> {
  const result: OnEventCase = { counts: [], statuses: [], outcomes: [] };
  for (const delivery of deliveries) {
    const { result: answered, counts } = await measure(async () => {
      const response = await post(delivery);
      const text = await response.text();
      return { status: response.status, outcome: text ? ((JSON.parse(text) as { outcome?: string }).outcome ?? null) : null };
    });
    result.counts.push(counts);
    result.statuses.push(answered.status);
    result.outcomes.push(answered.outcome);
  }
  return result;
}

export async function measureOnEvent(deliveries: number): Promise<OnEventRun> {
  const events = Array.from({ length: deliveries }, (_, i) => ({ event: unsyncedEvent(i), id: `msg_onevent_${i}` }));
  const signed = () => events.map(({ event, id }) => sign(event, { id }));
  const fetchOn =
    (t: { fetch: (path: string, init: RequestInit) => Promise<Response> }, at: string): Poster =>
    (d) =>
      t.fetch(at, { method: "POST", headers: d.headers, body: d.body });

  const t = packageBackend();
  const first = await deliver(fetchOn(t, WEBHOOK_PATH), signed());
  const redelivery = await deliver(fetchOn(t, WEBHOOK_PATH), signed());
  const appRows = (await t.run((ctx) => ctx.db.query(APP_TABLE).collect())).length;
  // Other svix ids, so the component has remembered none of them.
  const others = events.map(({ event }, i) => sign(event, { id: `msg_onevent_other_${i}` }));
  const withoutOnEvent = await deliver(fetchOn(t, WITHOUT_ON_EVENT_PATH), others);
  const synced = (id: string) => sign({ type: "user.created", object: "event", data: clerkUser(id), timestamp: Date.now() }, { id: `msg_${id}` });
  const syncedWithHooks = await deliver(fetchOn(t, WEBHOOK_PATH), [synced("user_onevent_hooked")]);

  const plain = component.create();
  const noHooks = await deliver(plain.post, others);
  const syncedWithoutHooks = await deliver(plain.post, [synced("user_onevent_plain")]);

  const b = baselineBackend();
  const baseFirst = await deliver(fetchOn(b, WEBHOOK_PATH), signed());
  const baseRedelivery = await deliver(fetchOn(b, WEBHOOK_PATH), signed());
  const baseRows = (await b.run((ctx) => ctx.db.query(APP_TABLE).collect())).length;

  const slice = (c: OnEventCase, from: number, to?: number): OnEventCase => ({
    counts: c.counts.slice(from, to),
    statuses: c.statuses.slice(from, to),
    outcomes: c.outcomes.slice(from, to),
  });
  return {
    deliveries,
    pkg: {
      first,
      redelivery,
      withoutOnEventFirst: slice(withoutOnEvent, 0, 1),
      withoutOnEventLater: slice(withoutOnEvent, 1),
      noHooks,
      syncedWithHooks: syncedWithHooks.counts[0]!,
      syncedWithoutHooks: syncedWithoutHooks.counts[0]!,
      appRows,
    },
    base: { first: baseFirst, redelivery: baseRedelivery, appRows: baseRows },
  };
}

/** Documents read or written in the app's own table, and in everything else (the component's). */
export const appDocs = (c: Counts, what: "read" | "written") => c.byTable[APP_TABLE]?.[what] ?? 0;
export const componentDocs = (c: Counts, what: "read" | "written") => (what === "read" ? c.docsRead : c.docsWritten) - appDocs(c, what);
/** Calls of the app's own mutations (the hooks mutation, the baseline's audit). */
export const appMutations = (c: Counts) => c.calls.mutation ?? 0;
export { totalCalls };
