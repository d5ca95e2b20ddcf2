/**
 * What the cost benchmark measured, and the arithmetic its goals and its report share: means and
 * worsts over a stream's deliveries, the floor's, and the side features' tables counted apart.
 */
import type { AnyKind } from "../../../src/shared/kinds/registry.js";
import type { Implementation } from "../backends.js";
import type { BillingRead } from "../billingRead.js";
import type { BurstRun, BurstShape } from "../bursts.js";
import type { BundleSize } from "../bundle.js";
import type { Correctness } from "../correctness.js";
import type { Counts, TableBytes } from "../instrument.js";
import type { OnEventRun } from "../onEvent.js";
import type { OrgDeletion } from "../orgDeletion.js";
import type { StreamOrder } from "../stream/arrange.js";
import type { FloorCost } from "../stream/floor.js";
import type { StreamEvent } from "../stream/generate.js";

/** One delivery as measured. `type` is what the report groups it under: its event type, or `RETRY`. */
export type EventCost = { counts: Counts; status: number; logLines: number; type: string; kind: string };
export const RETRY = "retry (any type)";

/** One implementation on one stream. */
export type Result = {
  impl: Implementation;
  events: EventCost[];
  correctness: Correctness;
  streamMs: number[];
  /** The same timed rounds with hash indexes in convex-test's database (bench/syncIndexes.ts): the mock's index scans removed. Empty when not measured. */
  hashedMs: number[];
};

/** A stream in one order, both implementations on it, and its floor. */
export type StreamRun = {
  kinds: readonly AnyKind[];
  order: StreamOrder;
  deliveries: StreamEvent[];
  /** Its objects, as a phrase: `200 users`. */
  objects: string;
  floor: FloorCost[];
  pkg: Result;
  base: Result;
};
export type AuthCost = { first: Counts; second: Counts };
export type Auth = { impl: Implementation; cost: AuthCost; onceUs: number[]; twiceUs: number[] };
/** One `requireMembership` (baseline: the same check on its own table) in a query, as an admin of a synced organization. */
export type MembershipAuth = { impl: Implementation; cost: Counts; us: number[] };
export type Bundles = {
  http: [BundleSize, BundleSize];
  auth: [BundleSize, BundleSize];
  memberships: [BundleSize, BundleSize];
  rootEntry: BundleSize;
  component: BundleSize;
};
/** A stream's correctness in emission order, no retries, for the package and the baseline. */
export type InOrder = { kinds: readonly AnyKind[]; correct: [Correctness, Correctness] };

/** Everything one run of the benchmark measured. */
export type Measured = {
  events: number;
  rounds: number;
  runs: StreamRun[];
  inOrders: InOrder[];
  auths: [Auth, Auth];
  membershipAuths: [MembershipAuth, MembershipAuth];
  deletion: OrgDeletion;
  bundles: Bundles;
  /** `getBilling` (the component's `billing.getByPayer`), or why it was not measured. */
  billingRead: BillingRead;
  /** Bursts of concurrent deliveries (bench/lib/bursts.ts), each counted at every size. */
  bursts: Burst[];
  burstSizes: readonly number[];
  /** Events the package does not sync, handed to the app's `onEvent` (bench/lib/onEvent.ts), beside a hand-written second endpoint. */
  onEvent: OnEventRun;
};
export type Burst = { shape: BurstShape; pkg: BurstRun; base: BurstRun };

export const STREAM_TEXT: Record<StreamOrder, string> = {
  realistic: "realistic stream: time order, each retry 1 to 50 deliveries late, 2% of neighbours swapped",
  adversarial: "adversarial stream: fully shuffled (a replayed backlog)",
  "in-order": "in-order stream: time order, no retries",
};

/** A stream's tables: `users`, `organizations and memberships`. */
export const tableList = (kinds: readonly AnyKind[]) => kinds.map((kind) => kind.table).join(" and ");
/** What a stream keeps, as its goals say it: `the users table`, `organizations and memberships`. */
export const keeping = (kinds: readonly AnyKind[]) => (kinds.length === 1 ? `the ${kinds[0]!.table} table` : tableList(kinds));
/** Its tables as the report's rows name them: `users table`, `synced tables`. */
export const tablesShort = (kinds: readonly AnyKind[]) => (kinds.length === 1 ? `${kinds[0]!.table} table` : "synced tables");

/**
 * Features beyond keeping the synced tables, their tables counted apart and judged against their
 * own stated budget per delivery (their floor is 0: the baseline has no such feature).
 * Webhook health (issue 21): every verified delivery inserts a record of its own and reads no
 * health document, nor the pruning schedule (the pruning run folds the records into hours): at
 * most 1 write and 0 reads, for every delivery.
 */
export type SideFeature = { tables: string[]; worstReads: number; worstWrites: number; meanReads: number; meanWrites: number };
export const SIDE_FEATURES: Record<string, SideFeature> = {
  "webhook health (a record per delivery) and its pruning schedule": {
    tables: ["webhookDeliveries", "webhookHealth", "pruneState"],
    worstReads: 0,
    worstWrites: 1,
    meanReads: 0,
    meanWrites: 1,
  },
};
const SIDE_TABLES = Object.values(SIDE_FEATURES).flatMap((feature) => feature.tables);
const side = (c: Counts, what: "read" | "written") => SIDE_TABLES.reduce((n, t) => n + (c.byTable[t]?.[what] ?? 0), 0);
const sideBytes = (c: Counts, what: keyof TableBytes) => SIDE_TABLES.reduce((n, t) => n + (c.byTableBytes[t]?.[what] ?? 0), 0);
export const sideOf = (feature: SideFeature, what: "read" | "written") => (c: Counts) => feature.tables.reduce((n, t) => n + (c.byTable[t]?.[what] ?? 0), 0);
/** Documents read and written keeping the synced tables: everything but the side tables. */
export const syncReads = (c: Counts) => c.docsRead - side(c, "read");
export const syncWrites = (c: Counts) => c.docsWritten - side(c, "written");
/** Index ranges and bytes of the synced tables, likewise. */
export const syncRanges = (c: Counts) => c.indexRanges - sideBytes(c, "ranges");
export const syncBytesRead = (c: Counts) => c.bytesRead - sideBytes(c, "bytesRead");
export const syncBytesWritten = (c: Counts) => c.bytesWritten - sideBytes(c, "bytesWritten");

/** The HTTP action, and one mutation to read or write. */
export const FLOOR_CALLS = 2;

export const avg = (events: EventCost[], f: (c: Counts) => number) => events.reduce((sum, e) => sum + f(e.counts), 0) / events.length;
export const max = (events: EventCost[], f: (c: Counts) => number) => Math.max(...events.map((e) => f(e.counts)));
export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The floor's mean over the run's deliveries (of one report type, if given). */
export const floorAvg = (run: StreamRun, f: (c: FloorCost) => number, type?: string) => {
  const costs = run.floor.filter((_, i) => type === undefined || run.pkg.events[i]!.type === type);
  return costs.reduce((sum, c) => sum + f(c), 0) / costs.length;
};
export const floorMax = (run: StreamRun, f: (c: FloorCost) => number) => Math.max(...run.floor.map(f));

/** Per delivery of `run` matching `which`: what `r` did beyond the floor (reads or writes of the synced tables). */
export function beyondFloor(run: StreamRun, r: Result, what: "reads" | "writes", which: (e: EventCost) => boolean) {
  const measured = what === "reads" ? syncReads : syncWrites;
  return r.events.flatMap((e, i) => (which(e) ? [measured(e.counts) - run.floor[i]![what]] : []));
}
