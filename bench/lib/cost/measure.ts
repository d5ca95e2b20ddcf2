/**
 * The cost benchmark's measurements: every stream of bench/lib/stream/shapes.ts through both
 * implementations, one delivery at a time, each counted (bench/lib/instrument.ts); the auth
 * checks; timed rounds; the deletion of a large organization; the bundles.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { membership } from "../../../src/shared/kinds/membership.js";
import { apiOf } from "../../../src/shared/kinds/registry.js";
import { user } from "../../../src/shared/kinds/user.js";
import { subscriptionItem } from "../../../src/shared/kinds/subscriptionItem.js";
import { baseline, component, root, type Backend, type Implementation } from "../backends.js";
import { measureBillingRead, type BillingRead } from "../billingRead.js";
import { bundleModules, bundleSource } from "../bundle.js";
import { BURSTS, runBurst } from "../bursts.js";
import { compare } from "../correctness.js";
import { emptyCounts, measure, TABLE_BYTES, type Counts, type TableBytes } from "../instrument.js";
import { measureOnEvent } from "../onEvent.js";
import { measureOrgDeletion } from "../orgDeletion.js";
import { installHashIndexes } from "../../syncIndexes.js";
import type { StreamOrder } from "../stream/arrange.js";
import { floorCosts } from "../stream/floor.js";
import { DELETED, makeStream, objectsOf, signAll, type Stream, type StreamEvent } from "../stream/generate.js";
import { STREAMS } from "../stream/shapes.js";
import {
  RETRY,
  tableList,
  type Auth,
  type AuthCost,
  type Bundles,
  type Burst,
  type EventCost,
  type InOrder,
  type MembershipAuth,
  type Measured,
  type StreamRun,
} from "./figures.js";

export type Sizes = {
  /** Deliveries per stream. */
  events: number;
  /** Timed rounds. */
  rounds: number;
  /** Queries per timed auth figure. */
  authQueries: number;
  /** Members of the organization whose deletion is measured. */
  orgMembers: number;
  /** Deliveries per burst of concurrent deliveries (conflicts are counted at each). */
  bursts: readonly number[];
  /** Deliveries of events the package does not sync, each sent twice (its first delivery, then a redelivery). */
  onEventDeliveries: number;
};

const ORDERS: StreamOrder[] = ["realistic", "adversarial"];
const IMPLEMENTATIONS = [component, baseline] as const;

export async function measureAll(sizes: Sizes): Promise<Measured> {
  const runs: StreamRun[] = [];
  const inOrders: InOrder[] = [];
  /** Both implementations' backends after the realistic stream holding memberships: requireMembership is measured on them. */
  let memberBackends: [Backend, Backend] | undefined;
  let memberStream: Stream | undefined;
  /** getBilling, on the package's backend after the realistic billing stream (skipped until the component has it). */
  let billingRead: BillingRead = { skipped: "no stream holds billing items" };
  for (const def of STREAMS) {
    for (const order of ORDERS) {
      const stream = makeStream(def, sizes.events, order);
      const counted = [];
      const backends: Backend[] = [];
      for (const impl of IMPLEMENTATIONS) {
        log(`${impl.name}: counting ${stream.events.length} deliveries (${tableList(def.kinds)}, ${order})`);
        const { events, backend } = await applyStream(impl, stream.events);
        counted.push({ impl, events, correctness: await compare(impl, backend, stream), streamMs: [] as number[], hashedMs: [] as number[] });
        backends.push(backend);
      }
      if (order === "realistic" && stream.latest.has(membership.name)) [memberBackends, memberStream] = [backends as [Backend, Backend], stream];
      if (order === "realistic" && stream.latest.has(subscriptionItem.name)) billingRead = await measureBillingRead(backends[0]!);
      const [pkg, base] = counted;
      runs.push({ kinds: def.kinds, order, deliveries: stream.events, objects: objectsOf(stream), floor: floorCosts(stream), pkg: pkg!, base: base! });
    }
    // The baseline as the guide writes it is correct when nothing arrives out of order.
    const inOrder = makeStream(def, sizes.events, "in-order");
    const correct = [];
    for (const impl of IMPLEMENTATIONS) correct.push(await compare(impl, (await applyStream(impl, inOrder.events)).backend, inOrder));
    inOrders.push({ kinds: def.kinds, correct: correct as InOrder["correct"] });
  }
  if (!memberBackends || !memberStream) throw new Error("bench: no stream holds memberships");

  // requireUser's figures: over the realistic stream holding users, as a user it leaves alive.
  const userStream = makeStream(
    STREAMS.find((def) => def.kinds.includes(user))!,
    sizes.events,
    "realistic",
  );
  const survivor = [...userStream.latest.get(user.name)!].find(([, json]) => json !== DELETED)![0];
  const auths: Auth[] = [];
  for (const impl of IMPLEMENTATIONS) auths.push({ impl, cost: await authCost(impl, userStream, survivor), onceUs: [], twiceUs: [] });
  const admin = await adminOf(memberStream, memberBackends);
  const membershipAuths: MembershipAuth[] = [];
  for (const [i, impl] of IMPLEMENTATIONS.entries()) {
    const cost = (await measure(() => memberBackends[i]!.requireAdmin(admin.userId, admin.orgId))).counts;
    membershipAuths.push({ impl, cost: minus(cost, { ...emptyCounts(), calls: { query: 1 } }), us: [] });
  }

  for (let round = 0; round < sizes.rounds; round++) {
    for (const run of runs) {
      // Alternate the order so neither implementation always runs on a warmer process.
      for (const result of round % 2 === 0 ? [run.pkg, run.base] : [run.base, run.pkg]) {
        log(`${result.impl.name}: timed round ${round + 1}/${sizes.rounds} (${tableList(run.kinds)}, ${run.order})`);
        result.streamMs.push(await timedStream(result.impl, run.deliveries));
      }
    }
    for (const auth of round % 2 === 0 ? auths : [...auths].reverse()) {
      const { onceUs, twiceUs } = await timedAuth(auth.impl, userStream, survivor, sizes.authQueries);
      auth.onceUs.push(onceUs);
      auth.twiceUs.push(twiceUs);
    }
    for (const i of round % 2 === 0 ? [0, 1] : [1, 0]) {
      const backend = memberBackends[i]!;
      membershipAuths[i]!.us.push(await timeQueries(() => backend.requireAdmin(admin.userId, admin.orgId), sizes.authQueries));
    }
  }
  const bursts: Burst[] = [];
  for (const shape of BURSTS) {
    log(`bursts of ${sizes.bursts.join(", ")}: ${shape.name}`);
    bursts.push({ shape, pkg: await runBurst(shape, component, sizes.bursts), base: await runBurst(shape, baseline, sizes.bursts) });
  }
  log(`onEvent: ${sizes.onEventDeliveries} unsynced deliveries, each twice`);
  const onEvent = await measureOnEvent(sizes.onEventDeliveries);
  log(`deleting an organization of ${sizes.orgMembers.toLocaleString("en-US")} members`);
  const deletion = await measureOrgDeletion(sizes.orgMembers);
  log("bundling");
  const bundles = await measureBundles();
  await timeWithHashIndexes(runs, sizes.rounds);
  return {
    events: sizes.events,
    rounds: sizes.rounds,
    runs,
    inOrders,
    auths: auths as [Auth, Auth],
    membershipAuths: membershipAuths as [MembershipAuth, MembershipAuth],
    deletion,
    bundles,
    billingRead,
    bursts,
    burstSizes: sizes.bursts,
    onEvent,
  };
}

/**
 * The streams' timed rounds again, with hash indexes in convex-test's in-memory database (it
 * scans a table for each index query; a deployment reads a B-tree): what the difference takes is
 * the mock's, not either implementation's. Last, as the indexes stay installed for the process.
 * Needs convex-test's internals exported (`npm run bench` imports bench/exposeConvexTest.mjs).
 */
async function timeWithHashIndexes(runs: StreamRun[], rounds: number) {
  try {
    installHashIndexes();
  } catch {
    log("hash indexes: convex-test's internals are not exported (run through npm run bench): the mock's share is not measured");
    return;
  }
  for (let round = 0; round < rounds; round++) {
    for (const run of runs) {
      for (const result of round % 2 === 0 ? [run.pkg, run.base] : [run.base, run.pkg]) {
        log(`${result.impl.name}: timed round ${round + 1}/${rounds} with hash indexes (${tableList(run.kinds)}, ${run.order})`);
        result.hashedMs.push(await timedStream(result.impl, run.deliveries));
      }
    }
  }
}

/** A backend with the stream applied, one delivery at a time, each counted. */
async function applyStream(impl: Implementation, stream: readonly StreamEvent[]) {
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
    const { kind, type, duplicate } = stream[i]!;
    events.push({ counts, status, logLines, type: duplicate ? RETRY : type, kind });
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

async function timedStream(impl: Implementation, stream: readonly StreamEvent[]) {
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
async function timedAuth(impl: Implementation, stream: Stream, survivor: string, queries: number) {
  const backend = impl.create();
  await quietly(async () => {
    for (const delivery of signAll(stream.events)) await (await backend.post(delivery)).arrayBuffer();
  });
  const time = (probe: (clerkId: string) => Promise<unknown>) => timeQueries(() => probe(survivor), queries);
  // Interleaved halves, so drift on the machine weighs on both.
  const a = await time(backend.authOnce);
  const b = await time(backend.authTwice);
  const c = await time(backend.authOnce);
  const d = await time(backend.authTwice);
  return { onceUs: (a + c) / 2, twiceUs: (b + d) / 2 };
}

/** µs per call of `probe`, over `queries` calls. */
async function timeQueries(probe: () => Promise<unknown>, queries: number) {
  const start = performance.now();
  for (let i = 0; i < queries; i++) await probe();
  return ((performance.now() - start) * 1000) / queries;
}

/**
 * An admin of a live organization whose membership both implementations hold as Clerk's latest
 * (so the baseline's check passes too), the first by membership id.
 */
async function adminOf(stream: Stream, backends: [Backend, Backend]) {
  const [pkgRows, baseRows] = await Promise.all(backends.map((b) => b.rows(membership)));
  const latest = stream.latest.get(membership.name)!;
  for (const [id, json] of [...latest].sort(([a], [b]) => a.localeCompare(b))) {
    const m = json === DELETED ? null : apiOf(membership).toRow(json);
    if (!m || m.role !== "org:admin") continue;
    if (pkgRows?.get(id)?.role === "org:admin" && baseRows?.get(id)?.role === "org:admin") return { userId: m.userId, orgId: m.orgId };
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
    byTableBytes: Object.fromEntries(
      [...new Set([...Object.keys(a.byTableBytes), ...Object.keys(b.byTableBytes)])].map((t) => [
        t,
        Object.fromEntries(TABLE_BYTES.map((figure) => [figure, (a.byTableBytes[t]?.[figure] ?? 0) - (b.byTableBytes[t]?.[figure] ?? 0)])) as TableBytes,
      ]),
    ),
  };
}

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

export function log(message: string) {
  process.stderr.write(`[bench] ${message}\n`);
}
