/**
 * What every webhook event and every auth check costs on Convex, this package beside
 * the hand-written pattern of Convex's Clerk guide (bench/baseline), in one process: user
 * events, organization and membership events, `requireUser` and `requireMembership`, and the
 * deletion of a large organization (bench/lib/orgDeletion.ts).
 *
 *   npm run bench         # 2,000 deliveries per stream, 7 timed rounds, an organization of 10,000 members; writes bench/RESULTS.md
 *   npm run bench:smoke   # 300 deliveries, 1 round, 2,500 members; exits 1 if a count goal (against the floor) or correctness fails
 *
 * Counts come from instrumenting convex-test (bench/lib/instrument.ts); timings are
 * convex-test's in-process backend, so they compare the two, not a deployment.
 */
import { execSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { baseline, component, root, type Backend, type Implementation, type Rows } from "./lib/backends.js";
import { bundleModules, bundleSource, type BundleSize } from "./lib/bundle.js";
import { emptyCounts, measure, totalCalls, type Counts } from "./lib/instrument.js";
import { callsUsed, CASCADE_BATCH, measureOrgDeletion, mutationsIn, transactionsUsed, type HelpersSee, type OrgDeletion } from "./lib/orgDeletion.js";
import { floorOrgCosts, isMembershipEvent, makeOrgStream, ORG_EVENT_KINDS, type OrgStream } from "./lib/orgStream.js";
import { floorCosts, makeStream, signAll, type FloorCost, type Stream, type StreamOrder } from "./lib/stream.js";
import { fmt, renderTable, type Cell, type Row } from "./lib/table.js";

const smoke = process.argv.includes("--smoke");
const EVENTS = smoke ? 300 : 2000;
const ROUNDS = smoke ? 1 : 7;
const AUTH_QUERIES = smoke ? 50 : 500;
/** Members of the organization whose deletion is measured. */
const ORG_MEMBERS = smoke ? 2500 : 10_000;

/**
 * The package's goals, each against the floor (the least any correct implementation could do,
 * `floorCosts` in bench/lib/stream.ts) plus a stated margin:
 * - function calls: the floor (an HTTP action and one mutation), no margin;
 * - documents read: at most 0.05 more per event on average, none more for any one event;
 * - documents written: at most 0.05 more per event on average (a tombstone per deletion, 2% of
 *   deliveries), at most 1 more for any one event (the deletion's tombstone).
 * A design that wrote twice per event, or read a second document for every delivery, fails.
 */
const GOALS = { meanExtraReads: 0.05, worstExtraReads: 0, meanExtraWrites: 0.05, worstExtraWrites: 1, wallTimeRatio: 1.25 };
/**
 * Organization and membership events, judged event by event against the floor (floorOrgCosts in
 * bench/lib/orgStream.ts), the side features apart as for users:
 * - function calls: the floor (an HTTP action and one mutation), no margin;
 * - a membership event (organizationMembership.*, and its retries): at most 1 document read and
 *   1 written more than the floor, the user events' budget as issue 10 states it (the read: the
 *   embedded organization, which must be looked at to know it is not news; the write: a
 *   tombstone, when a membership is deleted or superseded);
 * - an organization event: no read more than the floor, no write more except a deletion's
 *   tombstone.
 */
const ORG_GOALS = { membershipExtraReads: 1, membershipExtraWrites: 1, organizationExtraReads: 0, organizationDeleteExtraWrites: 1 };
/**
 * Goals the package misses today. Each still prints FAIL, with why, but does not fail the run;
 * instead the most it costs today is enforced (`ceiling`, beyond the floor, every event), so the
 * gap cannot widen unseen. When the goal passes, the line says so: delete the entry then.
 */
const KNOWN_GAPS: Record<string, { ceiling: number; why: string }> = {};
/**
 * The deletion of an organization with `ORG_MEMBERS` members: no transaction writes more than
 * one batch of memberships and a few documents besides (the organization's row, its tombstone,
 * the webhook's health); the batches are as few as the size allows (the last may find nothing
 * when the size is a multiple of the batch).
 */
const ORG_DELETE_GOALS = { extraWritesPerTransaction: 5, extraTransactions: 1 };
/**
 * Features beyond keeping the users table, their tables counted apart and judged against their
 * own stated budget per delivery (their floor is 0: the baseline has no such feature).
 * Webhook health: the hour's shard read and patched (2 reads, as Convex counts a patch, 1 write);
 * the hour's first delivery inserts the shard and looks at the pruning schedule, which it may
 * write (at most 2 writes). On average at most 2 reads and 1.05 writes.
 */
type SideFeature = { tables: string[]; worstReads: number; worstWrites: number; meanReads: number; meanWrites: number };
const SIDE_FEATURES: Record<string, SideFeature> = {
  "webhook health and its pruning schedule": { tables: ["webhookHealth", "pruneState"], worstReads: 2, worstWrites: 2, meanReads: 2, meanWrites: 1.05 },
};
const SIDE_TABLES = Object.values(SIDE_FEATURES).flatMap((feature) => feature.tables);
const side = (c: Counts, what: "read" | "written") => SIDE_TABLES.reduce((n, t) => n + (c.byTable[t]?.[what] ?? 0), 0);
const sideOf = (feature: SideFeature, what: "read" | "written") => (c: Counts) => feature.tables.reduce((n, t) => n + (c.byTable[t]?.[what] ?? 0), 0);
/** Documents read and written keeping the synced tables (users; organizations and memberships): everything but the side tables. */
const syncReads = (c: Counts) => c.docsRead - side(c, "read");
const syncWrites = (c: Counts) => c.docsWritten - side(c, "written");
const STREAMS: StreamOrder[] = ["realistic", "adversarial"];
const STREAM_TEXT: Record<StreamOrder, string> = {
  realistic: "realistic stream: time order, each retry 1 to 50 deliveries late, 2% of neighbours swapped",
  adversarial: "adversarial stream: fully shuffled (a replayed backlog)",
  "in-order": "in-order stream: time order, no retries",
};

/** A delivery of any stream: what is sent, and what it is (its Clerk event type; a retry repeats another). */
type Delivered = { event: Parameters<typeof signAll>[0][number]["event"]; svixId: string; kind: string; duplicate: boolean };
/** `type` is what the report groups it under: its event type, or "retry (any type)". */
type EventCost = { counts: Counts; status: number; logLines: number; type: string; kind: string };
type AuthCost = { first: Counts; second: Counts };
/** The final tables against Clerk's latest state: rows differing, and why (label, count; null: not kept). */
type Correctness = { differing: number; parts: [string, number | null][] };

/** What a stream keeps in step: the users table, or the organizations and memberships tables. */
type Subject = "users" | "organizations";
const SUBJECT_TEXT: Record<Subject, { tables: string; events: string[] }> = {
  users: { tables: "the users table", events: ["user.created", "user.updated", "user.deleted", "retry (any type)"] },
  organizations: { tables: "organizations and memberships", events: [...ORG_EVENT_KINDS, "retry (any type)"] },
};

/** One implementation on one stream. */
type Result = { impl: Implementation; events: EventCost[]; correctness: Correctness; streamMs: number[] };
type StreamRun = {
  subject: Subject;
  order: StreamOrder;
  deliveries: Delivered[];
  /** Users, or organizations and memberships, in the stream. */
  objects: string;
  floor: FloorCost[];
  types: string[];
  pkg: Result;
  base: Result;
};
type Auth = { impl: Implementation; cost: AuthCost; onceUs: number[]; twiceUs: number[] };
/** One `requireMembership` (baseline: the same check on its own table) in a query, as an admin of a synced organization. */
type MembershipAuth = { impl: Implementation; cost: Counts; us: number[] };

async function main() {
  const runs: StreamRun[] = [];
  for (const order of STREAMS) {
    const stream = makeStream(EVENTS, order);
    const counted = [];
    for (const impl of [component, baseline]) {
      log(`${impl.name}: counting ${stream.events.length} user deliveries (${order})`);
      const { events, backend } = await applyStream(impl, stream.events);
      counted.push({ impl, events, correctness: compare(impl, await backend.rows(), stream), streamMs: [] as number[] });
    }
    runs.push(streamRun("users", order, stream.events, `${stream.latest.size} users`, floorCosts(stream), counted));
  }
  // The baseline as the guide writes it is correct when nothing arrives out of order.
  const inOrder = makeStream(EVENTS, "in-order");
  const inOrderCorrect = [];
  for (const impl of [component, baseline]) inOrderCorrect.push(compare(impl, await (await applyStream(impl, inOrder.events)).backend.rows(), inOrder));

  // Organizations and memberships: the same instruments, their own stream and floor.
  const orgBackends: Backend[] = [];
  for (const order of STREAMS) {
    const stream = makeOrgStream(EVENTS, order);
    const counted = [];
    for (const impl of [component, baseline]) {
      log(`${impl.name}: counting ${stream.events.length} organization and membership deliveries (${order})`);
      const { events, backend } = await applyStream(impl, stream.events);
      counted.push({ impl, events, correctness: await compareOrgs(impl, backend, stream), streamMs: [] as number[] });
      if (order === "realistic") orgBackends.push(backend);
    }
    const objects = `${stream.organizations.size} organizations and ${stream.memberships.size} memberships`;
    runs.push(streamRun("organizations", order, stream.events, objects, floorOrgCosts(stream), counted));
  }
  const orgInOrder = makeOrgStream(EVENTS, "in-order");
  const orgInOrderCorrect = [];
  for (const impl of [component, baseline]) orgInOrderCorrect.push(await compareOrgs(impl, (await applyStream(impl, orgInOrder.events)).backend, orgInOrder));

  const userStream = makeStream(EVENTS, "realistic");
  const survivor = [...userStream.latest].find(([, user]) => user !== "deleted")![0];
  const auths: Auth[] = [];
  for (const impl of [component, baseline]) auths.push({ impl, cost: await authCost(impl, userStream, survivor), onceUs: [], twiceUs: [] });
  const admin = await adminOf(makeOrgStream(EVENTS, "realistic"), orgBackends as [Backend, Backend]);
  const membershipAuths: MembershipAuth[] = [];
  for (const [i, impl] of [component, baseline].entries()) {
    const backend = orgBackends[i]!;
    const cost = (await measure(() => backend.requireAdmin(admin.userId, admin.orgId))).counts;
    membershipAuths.push({ impl, cost: minus(cost, { ...emptyCounts(), calls: { query: 1 } }), us: [] });
  }

  for (let round = 0; round < ROUNDS; round++) {
    for (const run of runs) {
      // Alternate the order so neither implementation always runs on a warmer process.
      for (const result of round % 2 === 0 ? [run.pkg, run.base] : [run.base, run.pkg]) {
        log(`${result.impl.name}: timed round ${round + 1}/${ROUNDS} (${run.subject}, ${run.order})`);
        result.streamMs.push(await timedStream(result.impl, run.deliveries));
      }
    }
    for (const auth of round % 2 === 0 ? auths : [...auths].reverse()) {
      const { onceUs, twiceUs } = await timedAuth(auth.impl, userStream, survivor);
      auth.onceUs.push(onceUs);
      auth.twiceUs.push(twiceUs);
    }
    for (const i of round % 2 === 0 ? [0, 1] : [1, 0]) {
      const backend = orgBackends[i]!;
      membershipAuths[i]!.us.push(await timeQueries(() => backend.requireAdmin(admin.userId, admin.orgId)));
    }
  }
  log(`deleting an organization of ${ORG_MEMBERS.toLocaleString("en-US")} members`);
  const deletion = await measureOrgDeletion(ORG_MEMBERS);
  log("bundling");
  const bundles = await measureBundles();

  const inOrders = { users: inOrderCorrect as [Correctness, Correctness], organizations: orgInOrderCorrect as [Correctness, Correctness] };
  const all = { runs, auths: auths as [Auth, Auth], membershipAuths: membershipAuths as [MembershipAuth, MembershipAuth], inOrders, deletion, bundles };
  const table = report(all);
  const goals = checkGoals(all);
  const text = [
    machineLine(),
    `${EVENTS.toLocaleString("en-US")} deliveries per stream (${runs[0]!.objects}; ${runs.at(-1)!.objects}); wall times are medians of ${ROUNDS} round(s).`,
    "",
    table,
    "",
    ...goals.lines,
  ].join("\n");
  console.log(`\n${text}\n`);
  if (!smoke) writeResults(text);

  const failed = goals.hard.filter((g) => !g.ok && !g.known);
  if (failed.length > 0) console.error(`FAILED: ${failed.map((g) => g.name).join("; ")}`);
  // The component schedules work of its own (pruning) on convex-test's timers: do not wait for it.
  process.exit(failed.length > 0 ? 1 : 0);
}

type Measured = { impl: Implementation; events: EventCost[]; correctness: Correctness; streamMs: number[] };

function streamRun(subject: Subject, order: StreamOrder, deliveries: Delivered[], objects: string, floor: FloorCost[], [pkg, base]: Measured[]): StreamRun {
  const types = deliveries.map((e) => (e.duplicate ? "retry (any type)" : e.kind));
  return { subject, order, deliveries, objects, floor, types, pkg: pkg!, base: base! };
}

/** A backend with the stream applied, one delivery at a time, each counted. */
async function applyStream(impl: Implementation, stream: readonly Delivered[]) {
  const backend = impl.create();
  const events: EventCost[] = [];
  const deliveries = signAll(stream);
  for (const [i, delivery] of deliveries.entries()) {
    const {
      result: [status, logLines],
      counts,
    } = await measure(() =>
      quietly(async () => {
        const response = await backend.post(delivery);
        await response.arrayBuffer();
        return response.status;
      }),
    );
    const { kind, duplicate } = stream[i]!;
    events.push({ counts, status, logLines, type: duplicate ? "retry (any type)" : kind, kind });
  }
  return { backend, events };
}

/** What an authenticated function pays for its checks, over a table the stream filled. */
async function authCost(impl: Implementation, stream: Stream, survivor: string): Promise<AuthCost> {
  const { backend } = await applyStream(impl, stream.events);
  const once = (await measure(() => backend.authOnce(survivor))).counts;
  const twice = (await measure(() => backend.authTwice(survivor))).counts;
  // The probe query itself is one call; what the check adds is the rest.
  return { first: minus(once, { ...emptyCounts(), calls: { query: 1 } }), second: minus(twice, once) };
}

async function timedStream(impl: Implementation, stream: readonly Delivered[]) {
  const backend: Backend = impl.create();
  const deliveries = signAll(stream);
  let failures = 0;
  const [streamMs] = await quietly(async () => {
    const start = performance.now();
    for (const delivery of deliveries) {
      const response = await backend.post(delivery);
      await response.arrayBuffer();
      if (response.status !== 200) failures++;
    }
    return performance.now() - start;
  });
  if (failures > 0) log(`${impl.name}: ${failures} non-200 responses in a timed round`);
  return streamMs;
}

/** µs per query with one auth check, and with two (a helper and the handler both check). */
async function timedAuth(impl: Implementation, stream: Stream, survivor: string) {
  const backend = impl.create();
  await quietly(async () => {
    for (const delivery of signAll(stream.events)) await (await backend.post(delivery)).arrayBuffer();
  });
  const time = (probe: (clerkId: string) => Promise<unknown>) => timeQueries(() => probe(survivor));
  // Interleaved halves, so drift on the machine weighs on both.
  const a = await time(backend.authOnce);
  const b = await time(backend.authTwice);
  const c = await time(backend.authOnce);
  const d = await time(backend.authTwice);
  return { onceUs: (a + c) / 2, twiceUs: (b + d) / 2 };
}

/** µs per call of `probe`, over `AUTH_QUERIES` calls. */
async function timeQueries(probe: () => Promise<unknown>) {
  const start = performance.now();
  for (let i = 0; i < AUTH_QUERIES; i++) await probe();
  return ((performance.now() - start) * 1000) / AUTH_QUERIES;
}

/**
 * An admin of a live organization whose membership both implementations hold as Clerk's latest
 * (so the baseline's check passes too), the first by membership id.
 */
async function adminOf(stream: OrgStream, backends: [Backend, Backend]) {
  const [pkgRows, baseRows] = await Promise.all(backends.map((b) => b.memberships()));
  for (const [id, m] of [...stream.memberships].sort(([a], [b]) => a.localeCompare(b))) {
    if (m === "deleted" || m.role !== "org:admin") continue;
    if (pkgRows!.get(id)?.role === "org:admin" && baseRows!.get(id)?.role === "org:admin")
      return { userId: m.public_user_data.user_id, orgId: m.organization.id };
  }
  throw new Error("adminOf: no admin both implementations hold");
}

/**
 * Runs `fn` with the console swallowed (the baseline logs every delete that finds no
 * user), returning how many lines were logged.
 */
async function quietly<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const saved = methods.map((m) => console[m]);
  let lines = 0;
  for (const m of methods) console[m] = () => void lines++;
  try {
    return [await fn(), lines];
  } finally {
    methods.forEach((m, i) => (console[m] = saved[i]!));
  }
}

function minus(a: Counts, b: Counts): Counts {
  const calls: Record<string, number> = {};
  for (const key of new Set([...Object.keys(a.calls), ...Object.keys(b.calls)])) {
    const n = (a.calls[key] ?? 0) - (b.calls[key] ?? 0);
    if (n !== 0) calls[key] = n;
  }
  return {
    calls,
    indexRanges: a.indexRanges - b.indexRanges,
    docsRead: a.docsRead - b.docsRead,
    bytesRead: a.bytesRead - b.bytesRead,
    docsWritten: a.docsWritten - b.docsWritten,
    bytesWritten: a.bytesWritten - b.bytesWritten,
    bytesBetweenFunctions: a.bytesBetweenFunctions - b.bytesBetweenFunctions,
    byTable: Object.fromEntries(
      [...new Set([...Object.keys(a.byTable), ...Object.keys(b.byTable)])].map((t) => [
        t,
        { read: (a.byTable[t]?.read ?? 0) - (b.byTable[t]?.read ?? 0), written: (a.byTable[t]?.written ?? 0) - (b.byTable[t]?.written ?? 0) },
      ]),
    ),
  };
}

/** The final table against Clerk's latest state, as this implementation maps a user. */
function compare(impl: Implementation, rows: Rows, stream: Stream): Correctness {
  const { missing, present, wrong } = diff(rows, stream.latest, (user) => impl.expectedRow(user));
  return correctness([
    ["live user missing", missing],
    ["deleted user present", present.length],
    ["stale or wrong fields", wrong],
  ]);
}

/**
 * The final memberships and organizations tables against Clerk's latest state. A membership of
 * a deleted organization is counted apart from one that left: Clerk sends no membership event
 * when an organization is deleted, so only a receiver that removes them on `organization.deleted` is right.
 */
async function compareOrgs(impl: Implementation, backend: Backend, stream: OrgStream): Promise<Correctness> {
  const memberships = diff(await backend.memberships(), stream.memberships, (m) => impl.expectedMembership(m));
  const ofDeletedOrg = memberships.present.filter((id) => stream.organizations.get(stream.membershipOrgs.get(id)!) === "deleted").length;
  const orgRows = await backend.organizations();
  const orgs = orgRows && diff(orgRows, stream.organizations, (o) => impl.expectedOrganization(o));
  return correctness([
    ["live membership missing", memberships.missing],
    ["membership that left, present", memberships.present.length - ofDeletedOrg],
    ["membership of a deleted organization present", ofDeletedOrg],
    ["membership with stale or wrong fields", memberships.wrong],
    ["organizations differing (baseline: keeps none)", orgs ? orgs.missing + orgs.present.length + orgs.wrong : null],
  ]);
}

/** Rows missing, present though deleted (their ids), and wrong (stale fields, duplicates, strangers). */
function diff<T>(rows: Rows, latest: Map<string, T | "deleted">, expected: (latest: T) => Record<string, unknown>) {
  let missing = 0;
  let wrong = 0;
  const present: string[] = [];
  for (const [clerkId, object] of latest) {
    const row = rows.get(clerkId);
    if (object === "deleted") {
      if (row) present.push(clerkId);
    } else if (!row) missing++;
    else if (canonical(row) !== canonical(expected(object))) wrong++;
  }
  wrong += [...rows.keys()].filter((id) => !latest.has(id)).length;
  return { missing, present, wrong };
}

function correctness(parts: [string, number | null][]): Correctness {
  return { differing: parts.reduce((n, [, count]) => n + (count ?? 0), 0), parts };
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

// ---------------------------------------------------------------------------------------------
// Bundles

type Bundles = {
  http: [BundleSize, BundleSize];
  auth: [BundleSize, BundleSize];
  memberships: [BundleSize, BundleSize];
  rootEntry: BundleSize;
  component: BundleSize;
};

async function measureBundles(): Promise<Bundles> {
  const app = (dir: string, file: string) => bundleModules(root, [path.join(root, dir, file)]);
  // Convex's entry-point rules: every .ts module but schema.ts, _generated/ and names with
  // several dots (convex.config.ts, tests).
  const componentDir = path.join(root, "src/component");
  const componentEntries = (readdirSync(componentDir, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ts") && !f.startsWith("_generated") && f !== "schema.ts" && path.basename(f).split(".").length === 2)
    .sort()
    .map((f) => path.join(componentDir, f));
  return {
    http: [await app("bench/component-app/convex", "http.ts"), await app("bench/baseline/convex", "http.ts")],
    auth: [await app("bench/component-app/convex", "users.ts"), await app("bench/baseline/convex", "users.ts")],
    memberships: [await app("bench/component-app/convex", "memberships.ts"), await app("bench/baseline/convex", "memberships.ts")],
    // Everything the root entry exports, so nothing is tree-shaken away: the most an app can pay.
    rootEntry: await bundleSource(root, `export * from "./src/client/index.ts";`),
    component: await bundleModules(root, componentEntries),
  };
}

/** What must never reach the root entry: the Backend API client, and svix beyond its verifier. */
function heavyInputs(bundle: BundleSize): string[] {
  return bundle.inputs.filter(
    (input) => input.includes("node_modules/@clerk/backend/") || /node_modules\/svix\/dist\/(api|models|request|HttpErrors)/.test(input),
  );
}

// ---------------------------------------------------------------------------------------------
// Report

const avg = (events: EventCost[], f: (c: Counts) => number) => events.reduce((sum, e) => sum + f(e.counts), 0) / events.length;
const max = (events: EventCost[], f: (c: Counts) => number) => Math.max(...events.map((e) => f(e.counts)));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const floorAvg = (run: StreamRun, f: (c: FloorCost) => number, type?: string) => {
  const costs = run.floor.filter((_, i) => type === undefined || run.types[i] === type);
  return costs.reduce((sum, c) => sum + f(c), 0) / costs.length;
};
const floorMax = (run: StreamRun, f: (c: FloorCost) => number) => Math.max(...run.floor.map(f));
const FLOOR_CALLS = 2; // The HTTP action, and one mutation to read or write.

/** Per delivery of `run` matching `which`: what `r` did beyond the floor (reads or writes of the synced tables). */
function beyondFloor(run: StreamRun, r: Result, what: "reads" | "writes", which: (e: EventCost) => boolean) {
  const measured = what === "reads" ? syncReads : syncWrites;
  return r.events.flatMap((e, i) => (which(e) ? [measured(e.counts) - run.floor[i]![what]] : []));
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pair = (xs: number[]) => `${mean(xs).toFixed(2)} / ${Math.max(...xs)}`;
const membershipEvents = (e: EventCost) => isMembershipEvent(e.kind);
const organizationEvents = (e: EventCost) => !isMembershipEvent(e.kind);

type All = {
  runs: StreamRun[];
  auths: [Auth, Auth];
  membershipAuths: [MembershipAuth, MembershipAuth];
  inOrders: Record<Subject, [Correctness, Correctness]>;
  deletion: OrgDeletion;
  bundles: Bundles;
};

function streamRows(run: StreamRun): Row[] {
  const { pkg, base } = run;
  const three = (f: (r: Result) => Cell, floor: Cell) => [f(pkg), f(base), floor];
  const callKinds = [...new Set([...pkg.events, ...base.events].flatMap((e) => Object.keys(e.counts.calls)))].sort();
  const stale = run.floor.filter((c) => c.writes === 0).length / run.floor.length;
  const tables = SUBJECT_TEXT[run.subject].tables;
  const subject = run.subject === "users" ? "" : " (organizations and memberships)";
  return [
    { section: `Per webhook event${subject}, ${STREAM_TEXT[run.order]} (mean over every delivery; ${(stale * 100).toFixed(0)}% change nothing)` },
    { label: "function calls", values: three((r) => avg(r.events, totalCalls), FLOOR_CALLS) },
    ...callKinds.map((kind) => ({ label: `  ${kind}`, values: three((r) => avg(r.events, (c) => c.calls[kind] ?? 0), null), ratio: false })),
    { label: "index ranges queried", values: three((r) => avg(r.events, (c) => c.indexRanges), null) },
    {
      label: "documents read",
      values: three(
        (r) => avg(r.events, (c) => c.docsRead),
        floorAvg(run, (c) => c.reads),
      ),
    },
    {
      label: `  keeping ${tables} (judged against the floor)`,
      values: three(
        (r) => avg(r.events, syncReads),
        floorAvg(run, (c) => c.reads),
      ),
    },
    ...Object.entries(SIDE_FEATURES).map(([label, feature]) => ({
      label: `  ${label} (not in the baseline)`,
      values: three((r) => avg(r.events, sideOf(feature, "read")), null),
      ratio: false,
    })),
    {
      label: "documents written",
      values: three(
        (r) => avg(r.events, (c) => c.docsWritten),
        floorAvg(run, (c) => c.writes),
      ),
    },
    {
      label: `  keeping ${tables} (judged against the floor)`,
      values: three(
        (r) => avg(r.events, syncWrites),
        floorAvg(run, (c) => c.writes),
      ),
    },
    ...Object.entries(SIDE_FEATURES).map(([label, feature]) => ({
      label: `  ${label} (not in the baseline)`,
      values: three((r) => avg(r.events, sideOf(feature, "written")), null),
      ratio: false,
    })),
    { label: "bytes read", values: three((r) => avg(r.events, (c) => c.bytesRead), null), format: fmt.int },
    { label: "bytes written", values: three((r) => avg(r.events, (c) => c.bytesWritten), null), format: fmt.int },
    { label: "bytes between functions (args + results)", values: three((r) => avg(r.events, (c) => c.bytesBetweenFunctions), null), format: fmt.int },
    ...SUBJECT_TEXT[run.subject].events.map((type) => ({
      label: `${type}: ${run.subject === "users" ? "users table" : "synced tables"} read / written`,
      values: three(
        (r) => {
          const events = r.events.filter((e) => e.type === type);
          return `${avg(events, syncReads).toFixed(2)} / ${avg(events, syncWrites).toFixed(2)}`;
        },
        `${floorAvg(run, (c) => c.reads, type).toFixed(2)} / ${floorAvg(run, (c) => c.writes, type).toFixed(2)}`,
      ),
    })),
    ...(run.subject === "organizations"
      ? [
          ...(["reads", "writes"] as const).flatMap((what): Row[] =>
            [
              ["membership events", membershipEvents],
              ["organization events", organizationEvents],
            ].map(([label, which]) => ({
              label: `${label as string}: documents ${what === "reads" ? "read" : "written"} beyond the floor, mean / worst event`,
              values: three((r) => pair(beyondFloor(run, r, what, which as (e: EventCost) => boolean)), "0.00 / 0"),
            })),
          ),
        ]
      : []),
    { label: "worst event: function calls", values: three((r) => max(r.events, totalCalls), FLOOR_CALLS), format: fmt.int },
    {
      label: `worst event: ${run.subject === "users" ? "users table" : "synced tables"} documents read`,
      values: three(
        (r) => max(r.events, syncReads),
        floorMax(run, (c) => c.reads),
      ),
      format: fmt.int,
    },
    {
      label: `worst event: ${run.subject === "users" ? "users table" : "synced tables"} documents written`,
      values: three(
        (r) => max(r.events, syncWrites),
        floorMax(run, (c) => c.writes),
      ),
      format: fmt.int,
    },
    { label: "non-200 responses (whole stream)", values: three((r) => r.events.filter((e) => e.status !== 200).length, 0), format: fmt.int },
    { label: "lines logged (whole stream)", values: three((r) => r.events.reduce((n, e) => n + e.logLines, 0), null), format: fmt.int, ratio: false },
    ...correctnessRows(pkg.correctness, base.correctness),
    { label: `wall time, whole stream (median of ${ROUNDS})`, values: three((r) => median(r.streamMs), null), format: fmt.ms },
    { label: "  per delivery", values: three((r) => (median(r.streamMs) * 1000) / r.events.length, null), format: fmt.us },
    { label: "  fastest round", values: three((r) => Math.min(...r.streamMs), null), format: fmt.ms },
  ];
}

function correctnessRows(pkg: Correctness, base: Correctness): Row[] {
  return [
    { label: "final tables: rows differing from Clerk", values: [pkg.differing, base.differing, 0], format: fmt.int, ratio: false },
    ...pkg.parts.map(([label, n], i) => ({ label: `  ${label}`, values: [n, base.parts[i]![1], null], format: fmt.int, ratio: false })),
  ];
}

function report({ runs, auths: [pkgAuth, baseAuth], membershipAuths: [pkgMember, baseMember], inOrders, deletion, bundles }: All): string {
  const auth = (f: (a: Auth) => Cell, floor: Cell = null) => [f(pkgAuth), f(baseAuth), floor];
  const member = (f: (a: MembershipAuth) => Cell, floor: Cell = null) => [f(pkgMember), f(baseMember), floor];
  const authKinds = [
    ...new Set([pkgAuth.cost.first, pkgAuth.cost.second, baseAuth.cost.first, baseAuth.cost.second].flatMap((c) => Object.keys(c.calls))),
  ].sort();
  const memberKinds = [...new Set([pkgMember.cost, baseMember.cost].flatMap((c) => Object.keys(c.calls)))].sort();
  const rows: Row[] = [
    ...runs.flatMap(streamRows),
    ...(["users", "organizations"] as const).flatMap((subject): Row[] => [
      { section: `Correctness on the ${STREAM_TEXT["in-order"]} (${SUBJECT_TEXT[subject].tables})` },
      ...correctnessRows(...inOrders[subject]),
    ]),
    { section: "Per authenticated invocation: requireUser (baseline: getCurrentUserOrThrow), in a query" },
    { label: "1 check: function calls beyond the query", values: auth((a) => totalCalls(a.cost.first), 0), format: fmt.int },
    ...authKinds.map((kind) => ({ label: `  ${kind}`, values: auth((a) => a.cost.first.calls[kind] ?? 0), format: fmt.int, ratio: false })),
    { label: "1 check: documents read", values: auth((a) => a.cost.first.docsRead, 1), format: fmt.int },
    { label: "1 check: bytes between functions", values: auth((a) => a.cost.first.bytesBetweenFunctions, 0), format: fmt.int },
    { label: "2nd check, same function: function calls", values: auth((a) => totalCalls(a.cost.second), 0), format: fmt.int },
    { label: "2nd check, same function: documents read", values: auth((a) => a.cost.second.docsRead, 0), format: fmt.int },
    { label: `query with 1 auth check (the common case; median of ${ROUNDS})`, values: auth((a) => median(a.onceUs)), format: fmt.us },
    { label: `query with 2 auth checks (median of ${ROUNDS})`, values: auth((a) => median(a.twiceUs)), format: fmt.us },
    { section: 'Per membership check: requireMembership(ctx, component, { orgId, role: "org:admin" }) (baseline: its own memberships table), in a query' },
    { label: "function calls beyond the query", values: member((a) => totalCalls(a.cost), 0), format: fmt.int },
    ...memberKinds.map((kind) => ({ label: `  ${kind}`, values: member((a) => a.cost.calls[kind] ?? 0), format: fmt.int, ratio: false })),
    { label: "index ranges queried", values: member((a) => a.cost.indexRanges, null), format: fmt.int },
    { label: "documents read", values: member((a) => a.cost.docsRead, 1), format: fmt.int },
    { label: "bytes read", values: member((a) => a.cost.bytesRead, null), format: fmt.int },
    { label: "bytes between functions", values: member((a) => a.cost.bytesBetweenFunctions, 0), format: fmt.int },
    { label: `query with the check (median of ${ROUNDS})`, values: member((a) => median(a.us)), format: fmt.us },
    ...deletionRows(deletion),
    { section: "Bundle bytes (Convex's esbuild settings; `convex` external, as every app has it)" },
    ...bundleRows("webhook module (app's http.ts)", bundles.http),
    ...bundleRows("auth module (app's users.ts)", bundles.auth),
    ...bundleRows("membership module (app's memberships.ts)", bundles.memberships),
    ...bundleRows("root entry, every export", [bundles.rootEntry, null]),
    ...bundleRows("component's own functions", [bundles.component, null]),
    ...[...bundles.component.entries].map(([entry, bytes]) => ({
      label: `  loading ${path.basename(entry)}${COMPONENT_ROLES[path.basename(entry)] ?? ""}`,
      values: [bytes, null],
      format: fmt.int,
    })),
  ];
  return renderTable(["", component.name, baseline.name, "floor"], rows);
}

const SEES: (keyof HelpersSee)[] = ["getMembership", "requireMembership", "listMyOrganizations", "get", "listByOrganization", "listByUser"];
/** Which helpers return the membership of a member: "all" (of the six), "none", or their names. */
const seen = (see: HelpersSee) => {
  const returning = SEES.filter((k) => see[k] !== false && see[k] !== 0);
  return returning.length === SEES.length ? "all" : returning.join(", ") || "none";
};

function deletionRows(d: OrgDeletion): Row[] {
  const writes = d.transactions.map((tx) => tx.counts.docsWritten);
  const reads = d.transactions.map((tx) => tx.counts.docsRead);
  const one = (label: string, value: Cell, floor: Cell = null, format = fmt.int): Row => ({ label, values: [value, null, floor], format, ratio: false });
  return [
    {
      section: `Deleting an organization of ${d.members.toLocaleString("en-US")} members (organization.deleted through the webhook; the baseline removes none, see notes)`,
    },
    one("transactions (the webhook's mutation, then scheduled batches)", transactionsUsed(d), Math.ceil(d.members / CASCADE_BATCH)),
    one("function calls, every kind (the HTTP action, mutations, scheduled actions)", callsUsed(d)),
    one("scheduled steps released", d.transactions.length - 1),
    one("most documents written by one transaction", Math.max(...writes), CASCADE_BATCH),
    one("  by the webhook's own transaction", writes[0]!),
    one("most documents read by one transaction", Math.max(...reads)),
    one(
      "documents written, all transactions",
      writes.reduce((a, b) => a + b, 0),
      d.members + 1,
    ),
    // The probes run after the delete's own step, before any scheduled batch is released.
    one("transactions until no helper returns a membership", mutationsIn(d.transactions[0]!.counts), 1),
    one("  memberships still in the table then", d.rowsWhenHelpersEmpty),
    one("  what the helpers return for the first and the last member, before", d.before.map(seen).join(" | ")),
    one("  ... right after the delete's response", d.after.map(seen).join(" | "), "none | none"),
    one("memberships left after the last batch", d.rowsLeft, 0),
    one("wall: the delete's delivery, sent to answered", d.deliveryMs, null, fmt.ms),
    one("wall: sent to every helper returning nothing (2 probe queries)", d.helpersEmptyMs, null, fmt.ms),
    one("wall: sent to the last batch's end (batches run back to back)", d.allRemovedMs, null, fmt.ms),
  ];
}

const COMPONENT_ROLES: Record<string, string> = {
  "users.ts": " (requireUser's query)",
  "sync.ts": " (the webhook's mutation)",
  "memberships.ts": " (requireMembership's query)",
  "cascades.ts": " (an organization's scheduled batches)",
};

function bundleRows(label: string, [a, b]: [BundleSize, BundleSize | null]): Row[] {
  const packages = [...new Set([...a.byPackage.keys(), ...(b?.byPackage.keys() ?? [])])].sort(
    (x, y) => Math.max(b?.byPackage.get(y) ?? 0, a.byPackage.get(y) ?? 0) - Math.max(b?.byPackage.get(x) ?? 0, a.byPackage.get(x) ?? 0),
  );
  return [
    { label, values: [a.total, b ? b.total : null], format: fmt.int },
    ...packages.map((p) => ({ label: `  ${p}`, values: [a.byPackage.get(p) ?? 0, b ? (b.byPackage.get(p) ?? 0) : null], format: fmt.int })),
  ];
}

/** `known`: a goal in KNOWN_GAPS, printed but not enforced. */
type Goal = { name: string; ok: boolean; detail: string; known?: string };

function checkGoals({ runs, auths: [pkgAuth, baseAuth], membershipAuths: [pkgMember, baseMember], inOrders, deletion, bundles }: All) {
  const f = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));
  const hard: Goal[] = [];
  for (const run of runs) {
    const { pkg, base } = run;
    const tables = SUBJECT_TEXT[run.subject].tables;
    const prefix = `${run.order}${run.subject === "users" ? "" : ", organizations and memberships"}`;
    const against = (label: string, fn: (c: Counts) => number, floorMean: number, floorWorst: number, meanMargin: number, worstMargin: number): Goal => {
      const [mean, worst] = [avg(pkg.events, fn), max(pkg.events, fn)];
      const margin = meanMargin || worstMargin ? ` + ${f(meanMargin)} mean, + ${f(worstMargin)} worst` : "";
      return {
        name: `${prefix}: ${label} per event <= floor${margin}`,
        ok: mean <= floorMean + meanMargin + 1e-9 && worst <= floorWorst + worstMargin,
        detail: `mean ${f(mean)} vs floor ${f(floorMean)} (baseline ${f(avg(base.events, fn))}), worst ${f(worst)} vs floor ${f(floorWorst)}`,
      };
    };
    /** Event by event: what the package did beyond the floor, at most `margin` (per event, so also on average). */
    const eventByEvent = (
      label: string,
      what: "reads" | "writes",
      which: (e: EventCost) => boolean,
      margin: (i: number) => number,
      marginText: string,
    ): Goal[] => {
      const indices = pkg.events.flatMap((e, i) => (which(e) ? [i] : []));
      const extra = (r: Result) => indices.map((i) => (what === "reads" ? syncReads : syncWrites)(r.events[i]!.counts) - run.floor[i]![what]);
      const over = (limit: (i: number) => number) => indices.filter((i, n) => extra(pkg)[n]! > limit(i)).length;
      const documents = `documents ${what === "reads" ? "read" : "written"} keeping ${tables}`;
      const goal: Goal = {
        name: `${prefix}: ${label}, ${documents} <= floor ${marginText}, every event`,
        ok: over(margin) === 0,
        detail: `${indices.length} events, ${over(margin)} over; beyond the floor mean ${f(mean(extra(pkg)))}, worst ${f(Math.max(...extra(pkg)))} (baseline mean ${f(mean(extra(base)))}, worst ${f(Math.max(...extra(base)))})`,
      };
      const gap = KNOWN_GAPS[`${label} ${what}`];
      if (!gap) return [goal];
      return [
        { ...goal, known: gap.why },
        {
          name: `${prefix}: ${label}, ${documents} <= floor + ${gap.ceiling}, every event (the known gap's ceiling: it may not widen)`,
          ok: over(() => gap.ceiling) === 0,
          detail: `${over(() => gap.ceiling)} over`,
        },
      ];
    };
    hard.push(against("function calls", totalCalls, FLOOR_CALLS, FLOOR_CALLS, 0, 0));
    if (run.subject === "users") {
      hard.push(
        against(
          "documents read keeping the users table",
          syncReads,
          floorAvg(run, (c) => c.reads),
          floorMax(run, (c) => c.reads),
          GOALS.meanExtraReads,
          GOALS.worstExtraReads,
        ),
        against(
          "documents written keeping the users table",
          syncWrites,
          floorAvg(run, (c) => c.writes),
          floorMax(run, (c) => c.writes),
          GOALS.meanExtraWrites,
          GOALS.worstExtraWrites,
        ),
      );
    } else {
      const isDeletion = (i: number) => run.deliveries[i]!.kind === "organization.deleted" && run.floor[i]!.writes > 0;
      hard.push(
        ...eventByEvent("membership events", "reads", membershipEvents, () => ORG_GOALS.membershipExtraReads, `+ ${ORG_GOALS.membershipExtraReads}`),
        ...eventByEvent("membership events", "writes", membershipEvents, () => ORG_GOALS.membershipExtraWrites, `+ ${ORG_GOALS.membershipExtraWrites}`),
        ...eventByEvent("organization events", "reads", organizationEvents, () => ORG_GOALS.organizationExtraReads, `+ ${ORG_GOALS.organizationExtraReads}`),
        ...eventByEvent(
          "organization events",
          "writes",
          organizationEvents,
          (i) => (isDeletion(i) ? ORG_GOALS.organizationDeleteExtraWrites : 0),
          `(+ ${ORG_GOALS.organizationDeleteExtraWrites} for a deletion's tombstone)`,
        ),
      );
    }
    // The floor is only worth judging against if nothing beats it.
    const beaten = pkg.events.filter((e, i) => syncReads(e.counts) < run.floor[i]!.reads || syncWrites(e.counts) < run.floor[i]!.writes).length;
    hard.push(
      {
        name: `${prefix}: the floor holds (no delivery costs the package fewer reads or writes than the floor's oracle)`,
        ok: beaten === 0,
        detail: `${beaten} of ${pkg.events.length} deliveries below it`,
      },
      ...Object.entries(SIDE_FEATURES).map(([label, budget]): Goal => {
        const [reads, writes] = [max(pkg.events, sideOf(budget, "read")), max(pkg.events, sideOf(budget, "written"))];
        const [meanReads, meanWrites] = [avg(pkg.events, sideOf(budget, "read")), avg(pkg.events, sideOf(budget, "written"))];
        return {
          name: `${prefix}: ${label} per event <= ${f(budget.meanReads)} read, ${f(budget.meanWrites)} written mean, ${budget.worstReads} / ${budget.worstWrites} worst (its budget; floor 0)`,
          ok: reads <= budget.worstReads && writes <= budget.worstWrites && meanReads <= budget.meanReads + 1e-9 && meanWrites <= budget.meanWrites + 1e-9,
          detail: `mean ${f(meanReads)} read, ${f(meanWrites)} written; worst ${reads} / ${writes}`,
        };
      }),
      {
        name: `${prefix}: final ${run.subject === "users" ? "users table matches" : "memberships and organizations tables match"} Clerk's latest state`,
        ok: pkg.correctness.differing === 0 && pkg.events.every((e) => e.status === 200),
        detail: `${pkg.correctness.differing} rows differ, ${pkg.events.filter((e) => e.status !== 200).length} non-200 (baseline: ${base.correctness.differing} rows differ)`,
      },
    );
  }
  const heavy = heavyInputs(bundles.rootEntry);
  const [pkgUsers, baseUsers] = inOrders.users;
  const [pkgOrgs, baseOrgs] = inOrders.organizations;
  const baseOrgsOff = baseOrgs.parts.filter(([label, n]) => n && !label.startsWith("membership of a deleted organization"));
  const txs = transactionsUsed(deletion);
  const mostWritten = Math.max(...deletion.transactions.map((tx) => tx.counts.docsWritten));
  const batches = Math.ceil(deletion.members / CASCADE_BATCH);
  hard.push(
    {
      name: "in-order stream: both implementations end correct (the baseline is the guide's pattern, not a strawman)",
      ok: pkgUsers.differing === 0 && baseUsers.differing === 0,
      detail: `${pkgUsers.differing} and ${baseUsers.differing} rows differ`,
    },
    {
      name: "in-order stream, organizations and memberships: the package ends correct; the baseline too, but for the memberships of deleted organizations (it deletes by membership id only)",
      ok: pkgOrgs.differing === 0 && baseOrgsOff.length === 0,
      detail: `${pkgOrgs.differing} rows differ; baseline: ${baseOrgs.parts.map(([label, n]) => `${n ?? "—"} ${label}`).join(", ")}`,
    },
    {
      name: "1 requireUser: at most 1 component call and 1 document read (floor: 0 calls, 1 read)",
      ok: totalCalls(pkgAuth.cost.first) <= 1 && pkgAuth.cost.first.docsRead <= 1,
      detail: `${totalCalls(pkgAuth.cost.first)} call, ${pkgAuth.cost.first.docsRead} read, ${pkgAuth.cost.first.bytesBetweenFunctions} bytes between functions (baseline ${totalCalls(baseAuth.cost.first)} calls, ${baseAuth.cost.first.docsRead} read)`,
    },
    {
      name: "2nd requireUser in one function costs nothing (floor 0)",
      ok: totalCalls(pkgAuth.cost.second) === 0 && pkgAuth.cost.second.docsRead === 0 && pkgAuth.cost.second.indexRanges === 0,
      detail: `${totalCalls(pkgAuth.cost.second)} calls, ${pkgAuth.cost.second.docsRead} documents read (baseline ${baseAuth.cost.second.docsRead} read)`,
    },
    {
      name: "1 requireMembership: 1 component call and at most 2 documents read (floor: 0 calls, 1 read)",
      ok: totalCalls(pkgMember.cost) <= 1 && pkgMember.cost.docsRead <= 2,
      detail: `${totalCalls(pkgMember.cost)} call, ${pkgMember.cost.docsRead} read, ${pkgMember.cost.indexRanges} index ranges, ${pkgMember.cost.bytesBetweenFunctions} bytes between functions (baseline ${totalCalls(baseMember.cost)} calls, ${baseMember.cost.docsRead} read)`,
    },
    {
      name: `deleting an organization of ${deletion.members.toLocaleString("en-US")} members: most documents written by one transaction <= ${CASCADE_BATCH.toLocaleString("en-US")} + ${ORG_DELETE_GOALS.extraWritesPerTransaction}`,
      ok: mostWritten <= CASCADE_BATCH + ORG_DELETE_GOALS.extraWritesPerTransaction && deletion.status === 200,
      detail: `${mostWritten} (the webhook's own transaction ${deletion.transactions[0]!.counts.docsWritten}), status ${deletion.status}`,
    },
    {
      name: `deleting it: transactions <= ${batches} (a batch of ${CASCADE_BATCH.toLocaleString("en-US")} each) + ${ORG_DELETE_GOALS.extraTransactions}, and every membership removed`,
      ok: txs <= batches + ORG_DELETE_GOALS.extraTransactions && deletion.rowsLeft === 0,
      detail: `${txs} transactions, ${deletion.rowsLeft} memberships left`,
    },
    {
      name: "deleting it: a membership read right after the delete's response returns nothing, whichever batch removes the row",
      ok: deletion.after.every((see) => seen(see) === "none") && deletion.before.every((see) => seen(see) === "all"),
      detail: `before: ${deletion.before.map(seen).join(" | ")}; after: ${deletion.after.map(seen).join(" | ")}, with ${deletion.rowsWhenHelpersEmpty.toLocaleString("en-US")} of its memberships still in the table`,
    },
    {
      name: "root entry has no Backend API client nor svix API client",
      ok: heavy.length === 0,
      detail: heavy.length ? heavy.join(", ") : `${bundles.rootEntry.total.toLocaleString("en-US")} B: ${[...bundles.rootEntry.byPackage.keys()].join(", ")}`,
    },
  );
  const ratio = (a: number[], b: number[]) => median(a) / median(b);
  const soft: Goal[] = [
    ...runs.map((run) => {
      const r = ratio(run.pkg.streamMs, run.base.streamMs);
      return {
        name: `${run.order}${run.subject === "users" ? "" : ", organizations and memberships"}: stream wall time within ${GOALS.wallTimeRatio}x of baseline (not enforced)`,
        ok: r <= GOALS.wallTimeRatio,
        detail: `${r.toFixed(2)}x`,
      };
    }),
    ...(["onceUs", "twiceUs"] as const).map((key) => {
      const r = ratio(pkgAuth[key], baseAuth[key]);
      const what = key === "onceUs" ? "1 auth check" : "2 auth checks";
      return {
        name: `query with ${what} within ${GOALS.wallTimeRatio}x of baseline (not enforced)`,
        ok: r <= GOALS.wallTimeRatio,
        detail: `${r.toFixed(2)}x (${fmt.us(median(pkgAuth[key]))} vs ${fmt.us(median(baseAuth[key]))})`,
      };
    }),
    {
      name: `query with requireMembership within ${GOALS.wallTimeRatio}x of baseline (not enforced)`,
      ok: ratio(pkgMember.us, baseMember.us) <= GOALS.wallTimeRatio,
      detail: `${ratio(pkgMember.us, baseMember.us).toFixed(2)}x (${fmt.us(median(pkgMember.us))} vs ${fmt.us(median(baseMember.us))})`,
    },
  ];
  // Figures with no goal to judge them against: printed as they are.
  const info = [
    `INFO  deleting it: time until no helper returns a membership: ${fmt.ms(deletion.helpersEmptyMs)} after it was sent (its delivery answered in ${fmt.ms(deletion.deliveryMs)}, then 2 probe queries); every row gone ${fmt.ms(deletion.allRemovedMs)} after it was sent (convex-test, batches back to back)`,
  ];
  const line = (g: Goal) =>
    g.known
      ? g.ok
        ? `PASS  ${g.name}: ${g.detail} (listed in KNOWN_GAPS in bench/cost.ts, now met: remove it there so it is enforced)`
        : `FAIL  ${g.name}: ${g.detail} (known gap, not enforced until fixed: ${g.known})`
      : `${g.ok ? "PASS" : "FAIL"}  ${g.name}: ${g.detail}`;
  // One short round says nothing about timing: the smoke shows the figure without a verdict.
  const softLine = (g: Goal) => (smoke ? `INFO  ${g.name}: ${g.detail} (one smoke round: judge timing on a full run)` : line(g));
  return {
    hard,
    lines: ["Goals (counts enforced: a FAIL exits 1, but for a known gap; wall times printed only)", ...hard.map(line), ...soft.map(softLine), ...info],
  };
}

// ---------------------------------------------------------------------------------------------

function machineLine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  const date = new Date()
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
  let convexTest = "?";
  try {
    convexTest = JSON.parse(readFileSync(path.join(root, "node_modules/convex-test/package.json"), "utf8")).version;
  } catch {
    // Unknown version: the line says "?".
  }
  return `${date} · Node ${process.version} · ${cpu} · ${os.availableParallelism()} CPUs · ${os.platform()} ${os.release()} · convex-test ${convexTest}`;
}

const NOTES = `How to read it
- Both implementations get the same signed deliveries through \`t.fetch\` (convex-test, in process), in two orders. The history: every user created, updated about 8 times (hours apart, so users interleave), 20% deleted; 10% of deliveries are Svix retries (same message id and body). **Realistic**: the order Clerk emitted them, each retry 1 to 50 deliveries after its original, 2% of neighbours swapped (two deliveries in flight at once). **Adversarial**: fully shuffled, as a replayed backlog arrives; most deliveries are then stale, which is where this package writes least. Both seeded: every run sends the same streams.
- **floor** is the least any correct implementation could do under the same accounting: an oracle that knows every version's order. A delivery that changes nothing (a retry, a stale version, anything after the delete) costs the one read that tells it so; a real change costs its write, and changing an existing document also the read that finds it and the read Convex counts for the patch or delete (2 reads, 1 write); a new user's insert reads nothing; a delete of a user never stored costs nothing. Two calls (the HTTP action and one mutation) per delivery. Goals are stated against it, with their margins (\`GOALS\` in bench/cost.ts).
- **baseline** (\`bench/baseline/convex\`) is the webhook, upsert/delete mutations and \`getCurrentUserOrThrow\` of Convex's Clerk guide as written, storing the same profile fields as this package so bytes compare like for like; a field Clerk clears is removed by the guide's \`patch\`. On the in-order stream (time order, no retries) it ends correct, as it should; its rows differ on the others because it applies deliveries in arrival order: a late update overwrites a newer one, and a create or update arriving after the delete brings the user back. **convex-clerk-users** (\`bench/component-app/convex\`) is the README's setup with no hooks (hooks add one mutation call per real change, by design).
- Counts are instrumented, not estimated (\`bench/lib/instrument.ts\`): function calls by wrapping every registered function's handler, app and component; reads and writes by wrapping convex-test's syscalls. As in Convex's transaction metrics, a patch, replace or delete also reads the document it changes; bytes are Convex's \`getDocumentSize\` (read) and \`getConvexSize\` (written; a deletion writes 0). "Index ranges" counts \`db.query\` streams and \`db.get\`s, including those that find nothing (this package's tombstone lookup for an id with no live row).
- **Beyond the synced tables.** Reads and writes of other features' tables (webhook health's hourly shards and its pruning schedule) are counted apart: the baseline has no such feature, so they are judged against their own stated budget (\`SIDE_FEATURES\`), and only the synced tables' work (users; organizations, memberships and their tombstones) against the floor. The totals include both.
- **Organizations and memberships** (\`bench/lib/orgStream.ts\`): the same orders, the same 10% retries, the same instruments. Every organization is created and updated 3 times, 10% are deleted once their history is over; every membership is created and updated about 5 times (role, metadata and name changes, some clearing a field), 15% leave and half of those rejoin (a new membership id for the same user and organization). A membership event embeds its organization as it was when the event was emitted, so a membership can bring its organization before the organization's own event. Clerk sends no membership event when an organization is deleted: the receiver must remove its memberships. The floor (\`floorOrgCosts\`) is the users' oracle over both kinds, keeping one live membership per user and organization as the package promises: a part of a delivery that is not news costs nothing (the oracle knows), so the package's look at a membership event's embedded organization is one read beyond the floor, and a deletion's tombstone one write beyond it. A membership event is judged event by event against the floor (at most 1 read and 1 write beyond it, the user events' budget as issue 10 states it), an organization event too (no read beyond it; a deletion's tombstone the only write beyond it). The baseline is the guide's pattern applied to memberships (\`bench/baseline/convex/memberships.ts\`): one \`memberships\` table, a blind upsert by Clerk's membership id, a delete by id; it ignores organization events (the guide has no pattern for them), so it costs less than the floor there, keeps no organizations, and keeps the memberships of deleted organizations, on the in-order stream too: the only rows it gets wrong in time order.
- **Known gaps** (\`KNOWN_GAPS\` in bench/cost.ts): a goal the package misses today prints FAIL with why, and the most it costs today is enforced instead, so the gap cannot widen unseen; when the goal is met the line says to remove the entry.
- **requireMembership** is one component query (\`memberships.get\`): it reads the pair's membership rows (one document) and looks up the organization's and the user's tombstones (index ranges that find no document while they are absent). The baseline reads its own table once.
- **Deleting an organization** (\`bench/lib/orgDeletion.ts\`): its memberships are written straight into the component's table (not measured), then \`organization.deleted\` goes through the webhook. Timers are held while it runs, and each scheduled batch is released alone and awaited (\`t.finishInProgressScheduledFunctions()\`), so each transaction is counted apart. Scheduling a function is not counted as a document written (the instrument counts tables). The probes run every membership read there is (getMembership, requireMembership, listMyOrganizations, memberships.get, listByOrganization, listByUser) as the first and the last member; the last member's row is removed by the last batch. Convex allows 16,000 documents written per transaction; the floor column is one batch. The baseline is not run: deleting by membership id, it removes none.
- Auth: one check per function is the common case; there the package pays a component query (a call and its bytes) where the baseline reads its own table, so it is slower in convex-test. A second check in the same function is free here and a second read in the baseline.
- Wall time is convex-test's in-memory backend on this machine: it compares the two implementations, it does not predict a deployment. Other processes on the machine add noise between runs, hence the median and the fastest round; timings are printed, never enforced.
- Bundles use the esbuild options of convex 1.48's bundler (syntax and identifiers minified, whitespace and names kept); \`convex\` is external. "Loading X" is the module plus the shared chunks it imports, what a cold start of that function loads.`;

const BEGIN = "<!-- bench/cost.ts: begin -->";
const END = "<!-- bench/cost.ts: end -->";

/** Replaces this benchmark's section of bench/RESULTS.md, leaving anything else in it alone. */
function writeResults(text: string) {
  const file = path.join(root, "bench/RESULTS.md");
  let commit = "";
  try {
    commit = execSync("git rev-parse --short HEAD", { cwd: root, encoding: "utf8" }).trim();
  } catch {
    // Not a git checkout: the section names no commit.
  }
  const section = [
    BEGIN,
    "## Cost per event and per auth check (`npm run bench`)",
    "",
    `Generated by \`bench/cost.ts\`${commit ? ` at ${commit} (plus uncommitted changes, if any)` : ""}. Rerun \`npm run bench\` to refresh.`,
    "",
    "```",
    text,
    "```",
    "",
    NOTES,
    END,
  ].join("\n");
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n";
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  const next = start >= 0 && end > start ? current.slice(0, start) + section + current.slice(end + END.length) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  log(`wrote ${path.relative(root, file)}`);
}

function log(message: string) {
  process.stderr.write(`[bench] ${message}\n`);
}

await main();
