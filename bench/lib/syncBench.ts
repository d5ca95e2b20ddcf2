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
import type { ResyncStatus, ResyncArgs } from "convex-clerk-users";
import type { FunctionReference } from "convex/server";
import schema from "../../example/convex/schema";
import { components } from "../../example/convex/_generated/api";
import { appModules } from "../../test/setup";
import { SECRET_KEY, type FakeRateLimit } from "../../test/fixtures/clerkApi";
import { CLERK_RATE_LIMITS, PACING_MARGIN_MS } from "../../src/client/resync/pacer";
import { CLERK_MAX_PAGE_SIZE } from "../../src/shared/paging";
import { startClerkApiProcess } from "../clerkApiProcess";
import { installHashIndexes } from "../syncIndexes";
import { breakDown, recordTimeline, type Interval, type Timeline } from "../syncProfile";

export const USERS = Number(process.env.BENCH_USERS ?? 100_000);
/** BENCH_HOOKS=0 skips the run with the example app's hooks (bench/sync.hooks.ts). */
export const HOOKS = process.env.BENCH_HOOKS !== "0";
/** The sync's default page: Clerk's largest. */
const PAGE = CLERK_MAX_PAGE_SIZE;
/** Pages overlap by one user, to notice a list that shifted under the pass (src/shared/paging.ts). */
const OVERLAP = 1;

export type Limiter = { instance: keyof typeof CLERK_RATE_LIMITS; model: NonNullable<FakeRateLimit["model"]> };

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
  const stats = {
    mutations: 0,
    maxDocsWritten: 0,
    maxBytesWritten: 0,
    msInTransactions: 0,
    queries: 0,
    docsRead: 0,
    docsWritten: 0,
    transactions: [] as Interval[],
    stop,
  };
  const startedAt = new WeakMap<object, number>();
  const start = proto.startTransaction!;
  proto.startTransaction = function (this: Tracker, ...args: unknown[]) {
    if (this._layers.length === 0) startedAt.set(this, performance.now());
    return start.apply(this, args);
  };
  const settle = (tracker: Tracker) => {
    if (tracker._layers.length !== 1) return false;
    const end = performance.now();
    const start = startedAt.get(tracker) ?? end;
    stats.msInTransactions += end - start;
    stats.transactions.push({ start, end });
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

/**
 * The least time from the first request to the last that any client needs for `requests`
 * requests under each model of the limit:
 * - window: `requests` per window, a window opening at the first request after the last one
 *   closed, so the last request goes out when window ceil(R / N) opens;
 * - bucket: a burst of N, then one per W / N as tokens refill.
 */
export function rateLimitFloorMs(requests: number, limit: { requests: number; windowMs: number }, model: Limiter["model"]) {
  if (model === "window") return (Math.ceil(requests / limit.requests) - 1) * limit.windowMs;
  return (Math.max(0, requests - limit.requests) * limit.windowMs) / limit.requests;
}

/** Requests a pass of `users` needs at `PAGE` per request: the last page must come back short, so floor(users / PAGE) + 1. */
export function requestFloor(users: number) {
  return Math.floor(users / PAGE) + 1;
}

/** This design's requests: the first page brings PAGE users, each later one PAGE - OVERLAP. */
export function designRequests(users: number) {
  return users < PAGE ? 1 : Math.floor((users - PAGE) / (PAGE - OVERLAP)) + 2;
}

type Goal = { name: string; ok: boolean; detail: string; enforced: boolean };

type ResyncAction = FunctionReference<"action", "public" | "internal", ResyncArgs, ResyncStatus>;

/** Runs the resync and its scheduled steps until the run stops running. */
async function runToEnd(t: ReturnType<typeof convexTest>, action: ResyncAction) {
  let status = await t.action(action, {});
  while (status.state === "running") {
    await t.finishInProgressScheduledFunctions();
    await new Promise((resolve) => setTimeout(resolve, 10));
    status = (await t.query(components.clerkUsers.resync.status, {}))!;
  }
  return status;
}

/**
 * A full resync of USERS users through `action` against the fake API limited as `limiter` says,
 * timed and counted, then (with `secondPass`) a second one over the same unchanged users; prints
 * a table and a PASS/FAIL line per goal. A count goal that fails fails the test (counts do not
 * depend on the machine); wall-time goals are printed, not enforced. The wall time is judged
 * against the larger of two floors: the rate limit's, and the commits' (the first request, then
 * the time inside the run's mutations, which run one after another), where the limit does not
 * bind. Where the time beyond the floor went is printed too, the mock's one-thread share apart.
 */
export async function benchmark(
  label: string,
  action: ResyncAction,
  modules: Record<string, () => Promise<unknown>>,
  {
    limiter,
    secondPass = false,
    appWritesPerUser = 0,
    otherLists = 0,
  }: {
    limiter: Limiter;
    secondPass?: boolean;
    appWritesPerUser?: number;
    /**
     * Requests (and pages) for the other kinds' lists the action also reads, each empty here (the
     * example's resync syncs organizations and billing too): one each, counted into the floors.
     */
    otherLists?: number;
  },
) {
  installHashIndexes();
  const limit = CLERK_RATE_LIMITS[limiter.instance];
  const stats = instrumentTransactions();
  const api = await startClerkApiProcess({ users: USERS, rateLimit: { ...limit, model: limiter.model } });
  process.env.CLERK_SECRET_KEY = SECRET_KEY;
  process.env.CLERK_API_URL = api.url;
  const timeline: Timeline = { calls: [], transactions: stats.transactions, requests: [] };
  const recording = recordTimeline({ ...appModules, ...modules }, timeline);
  const t = convexTest({ schema, modules: recording.modules, transactionLimits: true });
  clerkUsersTest.register(t);

  const started = performance.now();
  // A run that throws must not leave the API's process behind.
  const status = await runToEnd(t, action).catch(async (error: unknown) => {
    stats.stop();
    recording.stop();
    await api.close();
    throw error;
  });
  const wallMs = performance.now() - started;
  const counted = { ...stats, transactions: [...stats.transactions] }; // Before the checks below, which run transactions of their own.
  stats.stop();
  recording.stop();
  const log = await api.log();
  // The fake API's clock is the epoch's (`Date.now()` in its process); the timeline's is this process's `performance.now()`.
  const profile = breakDown(
    { ...timeline, transactions: counted.transactions },
    log.map((r) => r.at - performance.timeOrigin),
  );
  // A second pass over the same users, nothing changed in Clerk: what a daily cron costs.
  const again = secondPass ? instrumentTransactions() : undefined;
  const secondStatus = secondPass
    ? await runToEnd(t, action).catch(async (error: unknown) => {
        again?.stop();
        await api.close();
        throw error;
      })
    : undefined;
  again?.stop();
  const secondLog = secondPass ? (await api.log()).slice(log.length) : [];
  await api.close();

  expect(status).toMatchObject({ state: "completed", counts: { user: { seen: USERS, created: USERS, removed: 0, invalid: 0 } } });
  // Profiles the app's hooks made, read in batches under Convex's read limit.
  let profiles = 0;
  for (let after = "", batch = 10_000; batch === 10_000;) {
    const rows = await t.run((ctx) =>
      ctx.db
        .query("profiles")
        .withIndex("by_clerk_id", (q) => q.gt("clerkId", after))
        .take(10_000),
    );
    profiles += rows.length;
    batch = rows.length;
    after = rows[rows.length - 1]?.clerkId ?? after;
  }

  const refused = log.filter((r) => r.status === 429).length;
  const floor = requestFloor(USERS) + otherLists;
  const design = designRequests(USERS) + otherLists;
  const pages = status.pagesDone;
  const spanMs = log.length > 0 ? log.at(-1)!.at - log[0]!.at : 0;
  const floors = {
    window: rateLimitFloorMs(floor, limit, "window"),
    bucket: rateLimitFloorMs(floor, limit, "bucket"),
  };
  // The floor of this run: the rate limit's, or, where that does not bind, the commits' (bench/syncProfile.ts).
  const commitsBind = profile.floorMs > floors[limiter.model];
  const judged = Math.max(floors[limiter.model], profile.floorMs);
  const restMs = wallMs - profile.floorMs - profile.passingMs - profile.betweenPagesMs;
  const at = (ms: number | undefined) => (ms === undefined ? "never" : `${((ms - log[0]!.at) / 1000).toFixed(1)} s`);
  const limitText = `${fmt(limit.requests)} per ${limit.windowMs / 1000} s`;
  const rows: Array<[string, string]> = [
    ["users synced", `${fmt(status.counts.user!.created)}, and ${fmt(profiles)} profiles written by the app's hooks`],
    ["requests made", `${fmt(log.length)}: ${fmt(log.length - refused)} answered + ${fmt(refused)} refused (429)`],
    ["  floor: least any client needs", `${fmt(floor)} = floor(users / 500) + 1 (the last page must come back short)`],
    ["  this design", `${fmt(design)} = floor((users - 500) / 499) + 2 (pages overlap by one user)`],
    ["  first 429, last request", `${at(log.find((r) => r.status === 429)?.at)}, ${at(log.at(-1)?.at)} after the first request`],
    ["mutations run", `${fmt(counted.mutations)} (${fmt(pages)} page commits, one per page; the rest start, reconcile, schedule)`],
    [
      "database work per user, in mutations",
      `${perUser(counted.queries)} index ranges read, ${perUser(counted.docsRead)} documents read, ${perUser(counted.docsWritten)} written`,
    ],
    ["  floor", `0 read, ${(1 + appWritesPerUser).toFixed(2)} written (each new user's row${appWritesPerUser ? " and the app's profile" : ""}, once)`],
    [
      "most documents one mutation wrote",
      `${fmt(counted.maxDocsWritten)} (${(counted.maxBytesWritten / 2 ** 20).toFixed(2)} MiB; Convex allows 16,000 / 16 MiB)`,
    ],
    ["wall time", `${(wallMs / 1000).toFixed(1)} s (${(counted.msInTransactions / 1000).toFixed(1)} s inside queries and mutations)`],
    ["  first request to last", `${(spanMs / 1000).toFixed(1)} s`],
    [
      "rate limit (fake API)",
      `${limitText}, ${limiter.model === "window" ? "fixed window (as Clerk documents it)" : "token bucket (burst, then refills)"}; the sync paces to ${limitText}`,
    ],
    [
      "  floor, fixed window",
      `${(floors.window / 1000).toFixed(1)} s from first request to last: ${fmt(floor)} requests open ${Math.ceil(floor / limit.requests)} window(s)`,
    ],
    [
      "  floor, token bucket",
      `${(floors.bucket / 1000).toFixed(1)} s: a burst of ${fmt(limit.requests)}, then ${fmt(limit.requests)} per ${limit.windowMs / 1000} s`,
    ],
    [
      "  floor, commits one after another",
      `${secs(profile.floorMs)}: the first request (${secs(profile.firstFetchMs)}), then inside ${fmt(profile.pageCommits)} page commits (${secs(profile.pageCommitsMs)}) and ${fmt(profile.otherMutations)} other mutations (${secs(profile.otherMutationsMs)})`,
    ],
    [
      "wall time / this model's floor",
      `${(wallMs / judged).toFixed(2)} (the larger floor: ${commitsBind ? `the commits'; ${fmt(floor)} requests fit in ${Math.ceil(floor / limit.requests)} window(s)` : "the rate limit's"})`,
    ],
    ["  passing arguments", `${secs(profile.passingMs)}: arguments (a page's rows) and results across ctx.runMutation, outside the transaction`],
    [
      "  between page commits",
      `${secs(profile.betweenPagesMs)} (in ${fmt(Math.max(0, profile.pageCommits - 1 - profile.notAheadPages))} of ${fmt(Math.max(0, profile.pageCommits - 1))}, Clerk had the page's request before the commit before it returned)`,
    ],
    [
      "    of which the mock's one thread",
      `${secs(profile.mocksThreadMs)}: the page's answer read and sorted out after that commit returned (on Convex, in the action's isolate, beside it)`,
    ],
    ["  the rest", `${secs(restMs)}: the action's start and end, scheduling, queries`],
  ];
  if (commitsBind) rows.push(["wall time less the mock's share / floor", `${((wallMs - profile.mocksThreadMs) / judged).toFixed(2)}`]);
  if (again && secondStatus) {
    expect(secondStatus).toMatchObject({ state: "completed", counts: { user: { seen: USERS, created: 0, updated: 0, unchanged: USERS, removed: 0 } } });
    rows.push([
      "second pass, nothing changed",
      `${perUser(again.queries)} index ranges read, ${perUser(again.docsRead)} documents read, ${perUser(again.docsWritten)} written, per user; ${fmt(secondLog.length)} requests, ${fmt(secondLog.filter((r) => r.status === 429).length)} refused`,
    ]);
    rows.push(["  floor", "1.00 read (each row, to compare), 0.00 written"]);
  }

  // Goals, each against its floor with the margin stated. Counts are enforced; wall time is not.
  const overlapMargin = Math.ceil(floor / (PAGE - OVERLAP));
  const progressMargin = pages + 10; // a progress write per page commit, plus start, reconcile, finish
  const goals: Goal[] = [
    { name: `0 refusals under the documented limit (${limitText}, paced)`, ok: refused === 0, detail: `${fmt(refused)} answered 429`, enforced: true },
    {
      name: `requests <= floor + ${overlapMargin} (the overlap: 1 per 499 pages)`,
      ok: log.length <= floor + overlapMargin,
      detail: `${fmt(log.length)} vs floor ${fmt(floor)}`,
      enforced: true,
    },
    {
      name: "mutations <= page commits + 10",
      ok: counted.mutations <= pages + 10 && pages <= design,
      detail: `${fmt(counted.mutations)} for ${fmt(pages)} pages`,
      enforced: true,
    },
    {
      name: `documents written <= floor (${(1 + appWritesPerUser).toFixed(0)} per user) + 1 per page + 10`,
      ok: counted.docsWritten <= USERS * (1 + appWritesPerUser) + progressMargin,
      detail: `${fmt(counted.docsWritten)} vs floor ${fmt(USERS * (1 + appWritesPerUser))}`,
      enforced: true,
    },
    {
      name: "most documents one mutation wrote <= a page and its progress (501 per 500 users, app writes aside)",
      ok: counted.maxDocsWritten <= (PAGE + 1) * (1 + appWritesPerUser),
      detail: fmt(counted.maxDocsWritten),
      enforced: true,
    },
  ];
  if (again && secondStatus) {
    goals.push(
      {
        name: "second pass: documents written <= 1 per page + 10 (floor 0)",
        ok: again.docsWritten <= progressMargin,
        detail: `${fmt(again.docsWritten)} for ${fmt(pages)} pages`,
        enforced: true,
      },
      {
        name: "second pass: documents read <= floor (1 per user) + 8 per page + 10 (the run's bookkeeping, the overlap's user)",
        ok: again.docsRead <= USERS + 8 * pages + 10,
        detail: `${fmt(again.docsRead)} vs floor ${fmt(USERS)}`,
        enforced: true,
      },
      {
        name: "second pass: 0 refusals, requests <= floor + the overlap",
        ok: secondLog.every((r) => r.status !== 429) && secondLog.length <= floor + overlapMargin,
        detail: `${fmt(secondLog.length)} requests`,
        enforced: true,
      },
    );
  }
  if (judged > 0) {
    // Pacing leaves a margin between windows (PACING_MARGIN_MS) and the last page must be committed.
    const windowNote =
      limiter.model === "bucket" && floors.window > 0
        ? `; the sync keeps to the documented window, whose floor is ${(floors.window / 1000).toFixed(1)} s: ${(wallMs / floors.window).toFixed(2)}x that`
        : "";
    const why = commitsBind
      ? `the commits' floor, ${secs(judged)}: the rate limit does not bind`
      : `pacing leaves ${PACING_MARGIN_MS} ms between windows${windowNote}`;
    goals.push({
      name: "wall time <= 1.2x this model's floor (printed, not enforced)",
      ok: wallMs <= 1.2 * judged,
      detail: `${(wallMs / judged).toFixed(2)}x (${why})`,
      enforced: false,
    });
    if (commitsBind) {
      goals.push({
        name: "wall time less the mock's one-thread share <= 1.2x this model's floor (printed, not enforced)",
        ok: wallMs - profile.mocksThreadMs <= 1.2 * judged,
        detail: `${((wallMs - profile.mocksThreadMs) / judged).toFixed(2)}x (${secs(profile.mocksThreadMs)} of the action's work on the next page waited for the mutation's thread)`,
        enforced: false,
      });
    }
  }
  const goalLines = goals.map((g) => `${g.ok ? "PASS" : "FAIL"}  ${g.name}: ${g.detail}${!g.enforced && !g.ok ? " (not enforced)" : ""}`);
  console.log(
    `\nconvex-clerk-users resync, ${label}: ${fmt(USERS)} users, fake Clerk API on 127.0.0.1 (a process of its own), ${limiter.instance} limit, ${limiter.model} model\n${table(rows)}\n\nGoals\n${goalLines.join("\n")}\n`,
  );
  const failed = goals.filter((g) => g.enforced && !g.ok);
  expect(failed.map((g) => `${g.name}: ${g.detail}`)).toEqual([]);
}

function secs(ms: number) {
  return `${(ms / 1000).toFixed(1)} s`;
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
