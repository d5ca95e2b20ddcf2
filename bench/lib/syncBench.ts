/**
 * The resync benchmark's machinery (bench/sync.ts, bench/sync.hooks.ts): runs a full resync
 * against the fake Clerk API in a process of its own, counts what it did, prints a table.
 * Each run is a file of its own, so vitest gives it a fresh process: one run's 100,000 rows
 * do not weigh on the next one's garbage collector.
 */
import { expect } from "vitest";
import { convexTest } from "convex-test";
import { TransactionMetricsTracker } from "convex-test/dist/transactionMetrics.js";
import clerkUsersTest from "convex-clerk-users/test";
import type { SyncStatus, SyncUsersArgs } from "convex-clerk-users";
import type { FunctionReference } from "convex/server";
import schema from "../../example/convex/schema";
import { components } from "../../example/convex/_generated/api";
import { appModules } from "../../test/setup";
import { SECRET_KEY } from "../../test/fixtures/clerkApi";
import { startClerkApiProcess } from "../clerkApiProcess";
import { installHashIndexes } from "../syncIndexes";

export const USERS = Number(process.env.BENCH_USERS ?? 100_000);
/** BENCH_HOOKS=0 skips the run with the example app's hooks (bench/sync.hooks.ts). */
export const HOOKS = process.env.BENCH_HOOKS !== "0";
/** Clerk's Backend API limit for development instances. */
const RATE_LIMIT = { requests: 100, windowMs: 10_000 };
const PAGE = 500;

type Layer = { metrics: { documentsWritten: number; bytesWritten: number; documentsRead: number; databaseQueries: number } };
type Tracker = { _layers: Layer[] };

/**
 * Counts top-level mutations (commits of a root transaction layer), what each read and wrote
 * (hooks included: they run in the page's transaction), and time inside them. The counts do
 * not depend on the machine's speed, so they compare designs where timings are noisy.
 */
function instrumentTransactions() {
  const proto = TransactionMetricsTracker.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = { startTransaction: proto.startTransaction!, commit: proto.commit!, rollback: proto.rollback! };
  /** Puts convex-test's own methods back. */
  const stop = () => Object.assign(proto, original);
  const stats = { mutations: 0, maxDocsWritten: 0, maxBytesWritten: 0, msInTransactions: 0, queries: 0, docsRead: 0, docsWritten: 0, stop };
  const startedAt = new WeakMap<object, number>();
  const start = proto.startTransaction!;
  proto.startTransaction = function (this: Tracker, ...args: unknown[]) {
    if (this._layers.length === 0) startedAt.set(this, performance.now());
    return start.apply(this, args);
  };
  const settle = (tracker: Tracker) => {
    if (tracker._layers.length !== 1) return false;
    stats.msInTransactions += performance.now() - (startedAt.get(tracker) ?? performance.now());
    return true;
  };
  const commit = proto.commit!;
  proto.commit = function (this: Tracker, ...args: unknown[]) {
    if (settle(this)) {
      const { documentsWritten, bytesWritten, documentsRead, databaseQueries } = this._layers[0]!.metrics;
      stats.mutations++;
      stats.queries += databaseQueries;
      stats.docsRead += documentsRead;
      stats.docsWritten += documentsWritten;
      stats.maxDocsWritten = Math.max(stats.maxDocsWritten, documentsWritten);
      stats.maxBytesWritten = Math.max(stats.maxBytesWritten, bytesWritten);
    }
    return commit.apply(this, args);
  };
  const rollback = proto.rollback!;
  proto.rollback = function (this: Tracker, ...args: unknown[]) {
    settle(this); // Queries end in a rollback: their time counts, they are not mutations.
    return rollback.apply(this, args);
  };
  return stats;
}

/** The least time any client needs for `requests` requests: the first `requests` in the limit go at once, the rest as tokens refill. */
function rateLimitFloorMs(requests: number) {
  return (Math.max(0, requests - RATE_LIMIT.requests) * RATE_LIMIT.windowMs) / RATE_LIMIT.requests;
}

type SyncAction = FunctionReference<"action", "public" | "internal", SyncUsersArgs, SyncStatus>;

/** Runs the resync and its scheduled steps until the run stops running. */
async function runToEnd(t: ReturnType<typeof convexTest>, action: SyncAction) {
  let status = await t.action(action, {});
  while (status.state === "running") {
    await t.finishInProgressScheduledFunctions();
    await new Promise((resolve) => setTimeout(resolve, 10));
    status = (await t.query(components.clerkUsers.backfill.status, {}))!;
  }
  return status;
}

/**
 * A full resync of USERS users through `action`, timed and counted, then (with `secondPass`)
 * a second one over the same unchanged users; prints a table.
 */
export async function benchmark(label: string, action: SyncAction, modules: Record<string, () => Promise<unknown>>, secondPass = false) {
  installHashIndexes();
  const stats = instrumentTransactions();
  const api = await startClerkApiProcess({ users: USERS, rateLimit: RATE_LIMIT });
  process.env.CLERK_SECRET_KEY = SECRET_KEY;
  process.env.CLERK_API_URL = api.url;
  const t = convexTest({ schema, modules: { ...appModules, ...modules }, transactionLimits: true });
  clerkUsersTest.register(t);

  const started = performance.now();
  const status = await runToEnd(t, action);
  const wallMs = performance.now() - started;
  const counted = { ...stats }; // Before the checks below, which run transactions of their own.
  stats.stop();
  const log = await api.log();
  // A second pass over the same users, nothing changed in Clerk: what a daily cron costs.
  const again = secondPass ? instrumentTransactions() : undefined;
  const secondStatus = secondPass ? await runToEnd(t, action) : undefined;
  again?.stop();
  await api.close();

  expect(status).toMatchObject({ state: "completed", usersSeen: USERS, created: USERS, removed: 0, invalidUsers: 0 });
  // Profiles the app's hooks made, read in batches under Convex's read limit.
  let profiles = 0;
  for (let after = "", batch = 10_000; batch === 10_000; ) {
    const rows = await t.run((ctx) => ctx.db.query("profiles").withIndex("by_clerk_id", (q) => q.gt("clerkId", after)).take(10_000));
    profiles += rows.length;
    batch = rows.length;
    after = rows[rows.length - 1]?.clerkId ?? after;
  }

  const answered = (status: number) => log.filter((r) => r.status === status).length;
  const ideal = Math.ceil(USERS / PAGE);
  const floorMs = rateLimitFloorMs(ideal);
  const at = (ms: number | undefined) => (ms === undefined ? "never" : `${((ms - log[0]!.at) / 1000).toFixed(1)} s`);
  const rows: Array<[string, string]> = [
    ["users synced", `${fmt(status.created)}, and ${fmt(profiles)} profiles written by the app's hooks`],
    ["requests made", `${fmt(log.length)}: ${fmt(answered(200))} pages + ${fmt(answered(429))} answered 429`],
    ["  goal: ceil(users / 500)", fmt(ideal)],
    ["  least that proves the end", `${fmt(Math.floor(USERS / PAGE) + 1)} = floor(users / 500) + 1 (the last page must come back short)`],
    ["  this design's count", `${fmt(USERS < PAGE ? 1 : Math.floor((USERS - PAGE) / (PAGE - 1)) + 2)} = floor((users - 500) / 499) + 2 (pages overlap by one user)`],
    ["  first 429, last request", `${at(log.find((r) => r.status === 429)?.at)}, ${at(log.at(-1)?.at)} after the first request`],
    ["mutations run", `${fmt(counted.mutations)} (${fmt(status.pagesDone)} page commits, one per page; the rest start, reconcile, schedule)`],
    [
      "database work per user, in mutations",
      `${perUser(counted.queries)} index ranges read, ${perUser(counted.docsRead)} documents read, ${perUser(counted.docsWritten)} written`,
    ],
    ["most documents one mutation wrote", `${fmt(counted.maxDocsWritten)} (${(counted.maxBytesWritten / 2 ** 20).toFixed(2)} MiB; Convex allows 16,000 / 16 MiB)`],
    ["wall time", `${(wallMs / 1000).toFixed(1)} s (${(counted.msInTransactions / 1000).toFixed(1)} s inside queries and mutations)`],
    ["rate limit alone forces", `${(floorMs / 1000).toFixed(1)} s for ${fmt(ideal)} requests at ${RATE_LIMIT.requests} per ${RATE_LIMIT.windowMs / 1000} s (a burst of ${RATE_LIMIT.requests}, then refills)`],
    ["wall time / rate limit", floorMs > 0 ? `${(wallMs / floorMs).toFixed(2)}` : "n/a (within one burst)"],
  ];
  if (again && secondStatus) {
    expect(secondStatus).toMatchObject({ state: "completed", usersSeen: USERS, created: 0, updated: 0, unchanged: USERS, removed: 0 });
    rows.push([
      "second pass, nothing changed",
      `${perUser(again.queries)} index ranges read, ${perUser(again.docsRead)} documents read, ${perUser(again.docsWritten)} written, per user`,
    ]);
  }
  console.log(`\nconvex-clerk-users resync, ${label}: ${fmt(USERS)} users, fake Clerk API on 127.0.0.1 (a process of its own)\n${table(rows)}\n`);
}

function perUser(n: number) {
  return (n / USERS).toFixed(2);
}

function fmt(n: number) {
  return n.toLocaleString("en-US");
}

function table(rows: Array<[string, string]>) {
  const width = Math.max(...rows.map(([k]) => k.length));
  const valueWidth = Math.max(...rows.map(([, v]) => v.length));
  const line = `+-${"-".repeat(width)}-+-${"-".repeat(valueWidth)}-+`;
  return [line, ...rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v.padEnd(valueWidth)} |`), line].join("\n");
}
