/** The cost benchmark's table: a row per figure, a column per implementation and the floor. */
import path from "node:path";
import { totalCalls, type Counts } from "../instrument.js";
import type { Correctness } from "../correctness.js";
import { baseline, component } from "../backends.js";
import type { BundleSize } from "../bundle.js";
import { appDocs, appMutations, componentDocs, type OnEventCase } from "../onEvent.js";
import { callsUsed, CASCADE_BATCH, mutationsIn, transactionsUsed, type OrgDeletion } from "../orgDeletion.js";
import { fmt, renderGrid, renderTable, type Cell, type Row } from "../table.js";
import { eventGroups, label, meanOf, type EventGroup } from "./perEvent.js";
import { FIGURE_TEXT, FIGURES, type FigureName } from "./rules.js";
import { budgetOf, ON_EVENT_FLOOR, seen } from "./goals.js";
import {
  avg,
  beyondFloor,
  FLOOR_CALLS,
  floorAvg,
  floorMax,
  keeping,
  max,
  mean,
  median,
  RETRY,
  SIDE_FEATURES,
  sideOf,
  STREAM_TEXT,
  syncReads,
  syncWrites,
  tableList,
  tablesShort,
  type Auth,
  type EventCost,
  type Measured,
  type MembershipAuth,
  type Result,
  type StreamRun,
} from "./figures.js";

export function report(m: Measured): string {
  const [pkgAuth, baseAuth] = m.auths;
  const [pkgMember, baseMember] = m.membershipAuths;
  const auth = (f: (a: Auth) => Cell, floor: Cell = null) => [f(pkgAuth), f(baseAuth), floor];
  const member = (f: (a: MembershipAuth) => Cell, floor: Cell = null) => [f(pkgMember), f(baseMember), floor];
  const authKinds = [
    ...new Set([pkgAuth.cost.first, pkgAuth.cost.second, baseAuth.cost.first, baseAuth.cost.second].flatMap((c) => Object.keys(c.calls))),
  ].sort();
  const memberKinds = [...new Set([pkgMember.cost, baseMember.cost].flatMap((c) => Object.keys(c.calls)))].sort();
  const rounds = m.rounds;
  const rows: Row[] = [
    ...m.runs.flatMap((run) => streamRows(run, rounds)),
    ...m.inOrders.flatMap(({ kinds, correct }): Row[] => [
      { section: `Correctness on the ${STREAM_TEXT["in-order"]} (${keeping(kinds)})` },
      ...correctnessRows(...correct),
    ]),
    { section: "Per authenticated invocation: requireUser (baseline: getCurrentUserOrThrow), in a query" },
    { label: "1 check: function calls beyond the query", values: auth((a) => totalCalls(a.cost.first), 0), format: fmt.int },
    ...authKinds.map((kind) => ({ label: `  ${kind}`, values: auth((a) => a.cost.first.calls[kind] ?? 0), format: fmt.int, ratio: false })),
    { label: "1 check: documents read", values: auth((a) => a.cost.first.docsRead, 1), format: fmt.int },
    { label: "1 check: bytes between functions", values: auth((a) => a.cost.first.bytesBetweenFunctions, 0), format: fmt.int },
    { label: "2nd check, same function: function calls", values: auth((a) => totalCalls(a.cost.second), 0), format: fmt.int },
    { label: "2nd check, same function: documents read", values: auth((a) => a.cost.second.docsRead, 0), format: fmt.int },
    { label: `query with 1 auth check (the common case; median of ${rounds})`, values: auth((a) => median(a.onceUs)), format: fmt.us },
    { label: `query with 2 auth checks (median of ${rounds})`, values: auth((a) => median(a.twiceUs)), format: fmt.us },
    { section: 'Per membership check: requireMembership(ctx, component, { orgId, role: "org:admin" }) (baseline: its own memberships table), in a query' },
    { label: "function calls beyond the query", values: member((a) => totalCalls(a.cost), 0), format: fmt.int },
    ...memberKinds.map((kind) => ({ label: `  ${kind}`, values: member((a) => a.cost.calls[kind] ?? 0), format: fmt.int, ratio: false })),
    { label: "index ranges queried", values: member((a) => a.cost.indexRanges, null), format: fmt.int },
    { label: "documents read", values: member((a) => a.cost.docsRead, 1), format: fmt.int },
    { label: "bytes read", values: member((a) => a.cost.bytesRead, null), format: fmt.int },
    { label: "bytes between functions", values: member((a) => a.cost.bytesBetweenFunctions, 0), format: fmt.int },
    { label: `query with the check (median of ${rounds})`, values: member((a) => median(a.us)), format: fmt.us },
    ...billingReadRows(m),
    ...burstRows(m),
    ...onEventRows(m),
    ...deletionRows(m.deletion),
    { section: "Bundle bytes (Convex's esbuild settings; `convex` external, as every app has it)" },
    ...bundleRows("webhook module (app's http.ts)", m.bundles.http),
    ...bundleRows("auth module (app's users.ts)", m.bundles.auth),
    ...bundleRows("membership module (app's memberships.ts)", m.bundles.memberships),
    ...bundleRows("root entry, every export", [m.bundles.rootEntry, null]),
    ...bundleRows("component's own functions", [m.bundles.component, null]),
    ...[...m.bundles.component.entries].map(([entry, bytes]) => ({
      label: `  loading ${path.basename(entry)}${COMPONENT_ROLES[path.basename(entry)] ?? ""}`,
      values: [bytes, null],
      format: fmt.int,
    })),
  ];
  return [renderTable(["", component.name, baseline.name, "floor"], rows), "", ...m.runs.map(perEventTable)].join("\n");
}

/**
 * Per event type and case, one run: each figure's mean as `package / floor / baseline`, over the
 * synced tables (webhook health apart). The goals judge every delivery against its floor plus
 * the rules' allowances (goals.ts, `perEventGoals`).
 */
function perEventTable(run: StreamRun): string {
  const trio = (g: EventGroup, figure: FigureName) => {
    const format = figure.startsWith("bytes") ? (n: number) => fmt.int(n) : (n: number) => n.toFixed(2);
    return [g.pkg, g.floor, g.base].map((xs) => format(meanOf(xs, figure))).join(" / ");
  };
  return [
    `Per event type and case (${tableList(run.kinds)}), ${run.order} stream: means per delivery, convex-clerk-users / floor / baseline (synced tables)`,
    renderGrid(
      ["event, case", "deliveries", ...FIGURES.map((figure) => FIGURE_TEXT[figure])],
      eventGroups(run).map((g) => [label(g), String(g.pkg.length), ...FIGURES.map((figure) => trio(g, figure))]),
    ),
    "",
  ].join("\n");
}

/**
 * An event the package does not sync, per delivery (means; every delivery of a case costs the
 * same but for bytes): handed to `onEvent`, beside the baseline's second endpoint.
 */
function onEventRows({ onEvent: { pkg, base, deliveries } }: Measured): Row[] {
  type Floor = (typeof ON_EVENT_FLOOR)[keyof typeof ON_EVENT_FLOOR];
  const meanOf = (c: OnEventCase | undefined, fn: (x: Counts) => number) => (c ? mean(c.counts.map(fn)) : null);
  const block = (label: string, c: OnEventCase, b: OnEventCase | undefined, floor: Floor | undefined): Row[] => [
    { label: `${label}: function calls`, values: [meanOf(c, totalCalls), meanOf(b, totalCalls), floor?.calls ?? null], format: fmt.dec },
    {
      label: "  of the app's (its hooks mutation / its own mutation)",
      values: [meanOf(c, appMutations), meanOf(b, appMutations), floor?.appCalls ?? null],
      format: fmt.dec,
      ratio: false,
    },
    { label: "  index ranges", values: [meanOf(c, (x) => x.indexRanges), meanOf(b, (x) => x.indexRanges), null], format: fmt.dec },
    { label: "  documents read, component", values: [meanOf(c, (x) => componentDocs(x, "read")), null, floor?.reads ?? null], format: fmt.dec },
    { label: "  documents read, app", values: [meanOf(c, (x) => appDocs(x, "read")), meanOf(b, (x) => appDocs(x, "read")), 0], format: fmt.dec },
    { label: "  documents written, component", values: [meanOf(c, (x) => componentDocs(x, "written")), null, floor?.componentWrites ?? null], format: fmt.dec },
    {
      label: "  documents written, app",
      values: [meanOf(c, (x) => appDocs(x, "written")), meanOf(b, (x) => appDocs(x, "written")), floor?.appWrites ?? null],
      format: fmt.dec,
    },
    { label: "  bytes read", values: [meanOf(c, (x) => x.bytesRead), meanOf(b, (x) => x.bytesRead), null], format: fmt.int },
    { label: "  bytes written", values: [meanOf(c, (x) => x.bytesWritten), meanOf(b, (x) => x.bytesWritten), null], format: fmt.int },
    {
      label: "  bytes between functions",
      values: [meanOf(c, (x) => x.bytesBetweenFunctions), meanOf(b, (x) => x.bytesBetweenFunctions), null],
      format: fmt.int,
    },
  ];
  return [
    {
      section: `onEvent: ${deliveries} events the package does not sync (session.created, email.created), each delivered twice; per delivery (baseline: a second hand-written endpoint, svix + the app's write, no dedupe)`,
    },
    ...block("first delivery", pkg.first, base.first, ON_EVENT_FLOOR.first),
    ...block("redelivery (same svix id)", pkg.redelivery, base.redelivery, ON_EVENT_FLOOR.redelivery),
    ...block("hooks without onEvent, isolate's first", pkg.withoutOnEventFirst, undefined, ON_EVENT_FLOOR.withoutOnEventFirst),
    ...block("hooks without onEvent, later", pkg.withoutOnEventLater, undefined, ON_EVENT_FLOOR.withoutOnEventLater),
    ...block("no hooks (ignored)", pkg.noHooks, undefined, undefined),
    { label: `app rows after ${deliveries} deliveries + ${deliveries} redeliveries`, values: [pkg.appRows, base.appRows, deliveries], format: fmt.int },
  ];
}

/** Conflicting pairs of each burst at each size, and their causes at the largest. */
function burstRows({ bursts, burstSizes }: Measured): Row[] {
  const largest = Math.max(...burstSizes);
  return [
    { section: "Write-read conflicts in a burst of N concurrent deliveries: pairs that would conflict under Convex's OCC rule (bench/lib/conflicts.ts)" },
    ...bursts.flatMap(({ shape, pkg, base }): Row[] => [
      ...burstSizes.map((size) => ({
        label: `${shape.name}, N = ${size.toLocaleString("en-US")}`,
        values: [pkg.bySize.get(size)!.pairs, base.bySize.get(size)!.pairs, shape.control ? (size * (size - 1)) / 2 : 0],
        format: fmt.int,
      })),
      ...[...new Set([...pkg.bySize.get(largest)!.causes.keys(), ...base.bySize.get(largest)!.causes.keys()])].map((cause) => ({
        label: `  N = ${largest.toLocaleString("en-US")}: ${cause}`,
        values: [pkg.bySize.get(largest)!.causes.get(cause) ?? 0, base.bySize.get(largest)!.causes.get(cause) ?? 0, null],
        format: fmt.int,
        ratio: false,
      })),
    ]),
  ];
}

function streamRows(run: StreamRun, rounds: number): Row[] {
  const { pkg, base } = run;
  const three = (f: (r: Result) => Cell, floor: Cell) => [f(pkg), f(base), floor];
  const callKinds = [...new Set([...pkg.events, ...base.events].flatMap((e) => Object.keys(e.counts.calls)))].sort();
  const stale = run.floor.filter((c) => c.writes === 0).length / run.floor.length;
  const tables = keeping(run.kinds);
  const short = tablesShort(run.kinds);
  // The event types the stream sent (billing kinds accept more than it sends).
  const types = [...run.kinds.flatMap((kind) => kind.webhook.events), RETRY].filter((type) => pkg.events.some((e) => e.type === type));
  const judgedEach = run.kinds.filter((kind) => budgetOf(kind).judged === "each");
  const pair = (xs: number[]) => `${mean(xs).toFixed(2)} / ${Math.max(...xs)}`;
  return [
    {
      section: `Per webhook event (${tableList(run.kinds)}), ${STREAM_TEXT[run.order]} (mean over every delivery; ${(stale * 100).toFixed(0)}% change nothing)`,
    },
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
    ...types.map((type) => ({
      label: `${type}: ${short} read / written`,
      values: three(
        (r) => {
          const events = r.events.filter((e) => e.type === type);
          return `${avg(events, syncReads).toFixed(2)} / ${avg(events, syncWrites).toFixed(2)}`;
        },
        `${floorAvg(run, (c) => c.reads, type).toFixed(2)} / ${floorAvg(run, (c) => c.writes, type).toFixed(2)}`,
      ),
    })),
    ...(["reads", "writes"] as const).flatMap((what): Row[] =>
      judgedEach.map((kind) => ({
        label: `${kind.name} events: documents ${what === "reads" ? "read" : "written"} beyond the floor, mean / worst event`,
        values: three((r) => pair(beyondFloor(run, r, what, (e: EventCost) => e.kind === kind.name)), "0.00 / 0"),
      })),
    ),
    { label: "worst event: function calls", values: three((r) => max(r.events, totalCalls), FLOOR_CALLS), format: fmt.int },
    {
      label: `worst event: ${short} documents read`,
      values: three(
        (r) => max(r.events, syncReads),
        floorMax(run, (c) => c.reads),
      ),
      format: fmt.int,
    },
    {
      label: `worst event: ${short} documents written`,
      values: three(
        (r) => max(r.events, syncWrites),
        floorMax(run, (c) => c.writes),
      ),
      format: fmt.int,
    },
    { label: "non-200 responses (whole stream)", values: three((r) => r.events.filter((e) => e.status !== 200).length, 0), format: fmt.int },
    { label: "lines logged (whole stream)", values: three((r) => r.events.reduce((n, e) => n + e.logLines, 0), null), format: fmt.int, ratio: false },
    ...correctnessRows(pkg.correctness, base.correctness),
    { label: `wall time, whole stream (convex-test mock, median of ${rounds})`, values: three((r) => median(r.streamMs), null), format: fmt.ms },
    { label: "  per delivery (convex-test mock)", values: three((r) => (median(r.streamMs) * 1000) / r.events.length, null), format: fmt.us },
    { label: "  fastest round (convex-test mock)", values: three((r) => Math.min(...r.streamMs), null), format: fmt.ms },
    ...(pkg.hashedMs.length === 0
      ? []
      : [
          {
            label: `  with hash indexes (the mock's index scans removed, median of ${pkg.hashedMs.length})`,
            values: three((r) => median(r.hashedMs), null),
            format: fmt.ms,
          },
          {
            label: "  the mock's index scans: share of the stream's wall time",
            values: three((r) => (100 * (median(r.streamMs) - median(r.hashedMs))) / median(r.streamMs), null),
            format: fmt.pct,
            ratio: false,
          },
        ]),
  ];
}

function correctnessRows(pkg: Correctness, base: Correctness): Row[] {
  return [
    { label: "final tables: rows differing from Clerk", values: [pkg.differing, base.differing, 0], format: fmt.int, ratio: false },
    ...pkg.parts.map((part, i) => ({ label: `  ${part.label}`, values: [part.count, base.parts[i]!.count, null], format: fmt.int, ratio: false })),
  ];
}

/** getBilling, package only (the baseline's hand-written items table has no such read), or why it is not measured yet. */
function billingReadRows({ billingRead: read }: Measured): Row[] {
  const section = "Per billing read: getBilling, the component's billing.getByPayer({ userId } | { orgId }), in a query";
  if ("skipped" in read) return [{ section: `${section}: ${read.skipped}` }];
  const one = (label: string, value: number, floor: Cell = null): Row => ({ label, values: [value, null, floor], format: fmt.int, ratio: false });
  return [
    { section: `${section} (payer ${JSON.stringify(read.payer)}: ${read.items} current or upcoming items, ${read.plans} plans)` },
    one("function calls beyond the query", totalCalls(read.cost), 1),
    one("index ranges queried", read.cost.indexRanges),
    one("documents read", read.cost.docsRead, read.items + read.plans),
    one("bytes read", read.cost.bytesRead),
    one("bytes between functions", read.cost.bytesBetweenFunctions),
  ];
}

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
