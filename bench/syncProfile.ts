/**
 * Where a resync's wall time goes, for bench/lib/syncBench.ts: the action's calls to the
 * component (each `ctx.runMutation`, as the action sees it), the transactions inside them (from
 * convex-test's metrics tracker), and the requests to the fake Clerk API (each `fetch` and the
 * parse of its answer). Every interval is on one clock (`performance.now()`).
 *
 * convex-test runs the action, its mutations and the answers' parsing on one JS thread: what the
 * action does between two commits (parse the next page, sort it out, pass it as arguments) waits
 * for the mutation before it, and the mutation waits for it. On Convex an action runs in an
 * isolate of its own, beside the mutation; so that share is the mock's, and printed as such.
 */

export type Interval = { start: number; end: number };
/** One `ctx.runMutation` of the action: `op` is the handback's (`list` is a page commit), or the mutation's own. */
export type Call = Interval & { op: string };
/** One request: sent, its headers back, its body parsed. */
export type Request = { sent: number; answered: number; parsed: number };

export type Timeline = { calls: Call[]; transactions: Interval[]; requests: Request[] };

type RegisteredAction = { isAction?: boolean; _handler?: (ctx: ActionCtx, args: unknown) => unknown };
type ActionCtx = { runMutation: (ref: unknown, args: Record<string, unknown>) => Promise<unknown> };

/**
 * Records every `ctx.runMutation` of the actions `modules` export, and every `fetch` (the Clerk
 * API client calls the global one), into `timeline`. `stop()` puts `fetch` back.
 */
export function recordTimeline(modules: Record<string, () => Promise<unknown>>, timeline: Timeline) {
  const wrapped = Object.fromEntries(
    Object.entries(modules).map(([path, load]) => [
      path,
      async () => {
        const module = (await load()) as Record<string, RegisteredAction>;
        for (const fn of Object.values(module)) if (fn?.isAction && fn._handler) fn._handler = timedHandler(fn._handler, timeline);
        return module;
      },
    ]),
  );
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
    const sent = performance.now();
    const response = await realFetch(...args);
    const request: Request = { sent, answered: performance.now(), parsed: Number.NaN };
    timeline.requests.push(request);
    const json = response.json.bind(response);
    response.json = async () => {
      try {
        return (await json()) as unknown;
      } finally {
        request.parsed = performance.now();
      }
    };
    return response;
  };
  return { modules: wrapped, stop: () => void (globalThis.fetch = realFetch) };
}

function timedHandler(handler: NonNullable<RegisteredAction["_handler"]>, timeline: Timeline): NonNullable<RegisteredAction["_handler"]> {
  return (ctx, args) =>
    handler(
      {
        ...ctx,
        runMutation: async (ref, mutationArgs) => {
          const start = performance.now();
          try {
            return await ctx.runMutation(ref, mutationArgs);
          } finally {
            const handback = mutationArgs?.handback as { op?: string } | undefined;
            timeline.calls.push({ op: handback?.op ?? "other", start, end: performance.now() });
          }
        },
      },
      args,
    );
}

/** The parts of a run's wall time, in ms: the floor's, and what is beyond it. */
export type Breakdown = {
  /** The first request, sent to parsed: nothing can commit before it. */
  firstFetchMs: number;
  /** Time inside the page commits' transactions, and inside the run's other mutations'. */
  pageCommitsMs: number;
  otherMutationsMs: number;
  /** The least the run can take: the first request, then every mutation of the run, one after another. */
  floorMs: number;
  pageCommits: number;
  otherMutations: number;
  /** Passing arguments and results across `ctx.runMutation`, outside the transaction. */
  passingMs: number;
  /** From one page commit's return to the next one's call. */
  betweenPagesMs: number;
  /**
   * Of it: reading and sorting out the next page after the commit before it returned, though
   * Clerk had its request by then (so its answer was waiting): the mock's one thread. On Convex
   * the action's isolate does this beside the commit. Measured as the time from the commit's
   * return to the request for the page after (which the action sends once that page is read).
   */
  mocksThreadMs: number;
  /** Gaps between page commits in which Clerk did not have the page's request before the commit before it returned. */
  notAheadPages: number;
};

/**
 * Splits a run's timeline. Page commits are run one after another (each is a transaction over
 * the run's cursor, and the action learns the next instruction from it), so the floor is the
 * first request's time plus the time inside the run's mutations; the rest is passing arguments
 * and the action's own work between them. `arrivedAt`: when the fake API received each request,
 * on the same clock.
 */
export function breakDown({ calls, transactions, requests }: Timeline, arrivedAt: readonly number[]): Breakdown {
  const inside = (call: Interval) => transactions.filter((t) => t.start >= call.start && t.end <= call.end).reduce((ms, t) => ms + (t.end - t.start), 0);
  const pages = calls.filter((c) => c.op === "list");
  const others = calls.filter((c) => c.op !== "list");
  const pageCommitsMs = sum(pages.map(inside));
  const otherMutationsMs = sum(others.map(inside));
  const passingMs = sum(calls.map((c) => c.end - c.start)) - pageCommitsMs - otherMutationsMs;
  let betweenPagesMs = 0;
  let mocksThreadMs = 0;
  let notAheadPages = 0;
  for (let i = 1; i < pages.length; i++) {
    const from = pages[i - 1]!.end;
    const to = pages[i]!.start;
    betweenPagesMs += to - from;
    // This page's request: the last one answered before the page was handed to its commit.
    let mine = requests.length - 1;
    while (mine >= 0 && !(requests[mine]!.parsed <= to)) mine--;
    if (mine < 0 || !(arrivedAt[mine]! < from)) {
      notAheadPages++;
      continue;
    }
    const next = requests.find((r) => r.sent >= from && r.sent <= to);
    mocksThreadMs += (next?.sent ?? to) - from;
  }
  const first = requests[0];
  const firstFetchMs = first ? first.parsed - first.sent : 0;
  return {
    firstFetchMs,
    pageCommitsMs,
    otherMutationsMs,
    floorMs: firstFetchMs + pageCommitsMs + otherMutationsMs,
    pageCommits: pages.length,
    otherMutations: others.length,
    passingMs,
    betweenPagesMs,
    mocksThreadMs,
    notAheadPages,
  };
}

function sum(ms: number[]) {
  return ms.reduce((a, b) => a + b, 0);
}
