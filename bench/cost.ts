/**
 * What every webhook event and every auth check costs on Convex, this package beside the
 * hand-written pattern of Convex's Clerk guide (bench/baseline), in one process: the events of
 * every synced kind (bench/lib/stream: one generator and one floor over the kind registry),
 * `requireUser` and `requireMembership`, the deletion of a large organization
 * (bench/lib/orgDeletion.ts), and the write-read conflicts of bursts of concurrent deliveries
 * (bench/lib/bursts.ts, under Convex's rule as bench/lib/conflicts.ts models it).
 *
 *   npm run bench         # 2,000 deliveries per stream, 7 timed rounds, an organization of 10,000 members, bursts of 10, 100 and 1,000; writes bench/RESULTS.md
 *   npm run bench:smoke   # 300 deliveries, 1 round, 2,500 members, bursts of 10 and 100; exits 1 if a count goal (against the floor), a conflict goal or correctness fails
 *
 * Counts come from instrumenting convex-test (bench/lib/instrument.ts); timings are
 * convex-test's in-process backend, so they compare the two, not a deployment.
 * bench/lib/cost/: measure.ts measures, goals.ts states the goals as data, verdict.ts judges
 * them, report.ts and results.ts print and write the report.
 */
import path from "node:path";
import { root } from "./lib/backends.js";
import { goals } from "./lib/cost/goals.js";
import { log, measureAll } from "./lib/cost/measure.js";
import { report } from "./lib/cost/report.js";
import { machineLine, writeResults } from "./lib/cost/results.js";
import { verdict } from "./lib/cost/verdict.js";

const smoke = process.argv.includes("--smoke");
const measured = await measureAll(
  smoke
    ? { events: 300, rounds: 1, authQueries: 50, orgMembers: 2500, bursts: [10, 100], onEventDeliveries: 20 }
    : { events: 2000, rounds: 7, authQueries: 500, orgMembers: 10_000, bursts: [10, 100, 1000], onEventDeliveries: 100 },
);
const { lines, failed } = verdict(goals(measured), { smoke });
const text = [
  machineLine(),
  `${measured.events.toLocaleString("en-US")} deliveries per stream (${measured.runs
    .filter((run) => run.order === measured.runs[0]!.order)
    .map((run) => run.objects)
    .join("; ")}); wall times are medians of ${measured.rounds} round(s).`,
  "",
  report(measured),
  "",
  ...lines,
].join("\n");
console.log(`\n${text}\n`);
if (!smoke) log(`wrote ${path.relative(root, writeResults(text))}`);

if (failed.length > 0) console.error(`FAILED: ${failed.map((g) => g.name).join("; ")}`);
// The component schedules work of its own (pruning) on convex-test's timers: do not wait for it.
process.exit(failed.length > 0 ? 1 : 0);
