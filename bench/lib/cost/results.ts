/**
 * The cost benchmark's section of bench/RESULTS.md: the machine it ran on, the table and the
 * goals' lines, and how to read them. Anything else in the file is left alone.
 */
import { execSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "../backends.js";

/** Where and when it ran: date, Node, CPU, platform, convex-test's version. */
export function machineLine(): string {
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

export const NOTES = `How to read it
- Both implementations get the same signed deliveries through \`t.fetch\` (convex-test, in process), in two orders. The history: every user created, updated about 8 times (hours apart, so users interleave), 20% deleted; 10% of deliveries are Svix retries (same message id and body). **Realistic**: the order Clerk emitted them, each retry 1 to 50 deliveries after its original, 2% of neighbours swapped (two deliveries in flight at once). **Adversarial**: fully shuffled, as a replayed backlog arrives; most deliveries are then stale, which is where this package writes least. Both seeded: every run sends the same streams.
- **floor** is the least any correct implementation could do under the same accounting: an oracle that knows every version's order. A delivery that changes nothing (a retry, a stale version, anything after the delete) costs the one read that tells it so; a real change costs its write, and changing an existing document also the read that finds it and the read Convex counts for the patch or delete (2 reads, 1 write); a new user's insert reads nothing; a delete of a user never stored costs nothing. Two calls (the HTTP action and one mutation) per delivery. Goals are stated against it, with their margins (\`BUDGETS\` in bench/lib/cost/goals.ts). One oracle serves every kind (\`floorCosts\` in bench/lib/stream/floor.ts): the changes a delivery asks for are the registry's, and a kind's parents and unique key say what else a change does.
- **baseline** (\`bench/baseline/convex\`) is the webhook, upsert/delete mutations and \`getCurrentUserOrThrow\` of Convex's Clerk guide as written, storing the same profile fields as this package so bytes compare like for like; a field Clerk clears is removed by the guide's \`patch\`. On the in-order stream (time order, no retries) it ends correct, as it should; its rows differ on the others because it applies deliveries in arrival order: a late update overwrites a newer one, and a create or update arriving after the delete brings the user back. **convex-clerk-users** (\`bench/component-app/convex\`) is the README's setup with no hooks (hooks add one mutation call per real change, by design).
- Counts are instrumented, not estimated (\`bench/lib/instrument.ts\`): function calls by wrapping every registered function's handler, app and component; reads and writes by wrapping convex-test's syscalls. As in Convex's transaction metrics, a patch, replace or delete also reads the document it changes; bytes are Convex's \`getDocumentSize\` (read) and \`getConvexSize\` (written; a deletion writes 0). "Index ranges" counts \`db.query\` streams and \`db.get\`s, including those that find nothing (this package's tombstone lookup for an id with no live row).
- **Beyond the synced tables.** Reads and writes of other features' tables (webhook health's record per delivery, its hourly shards and its pruning schedule) are counted apart: the baseline has no such feature, so they are judged against their own stated budget (health: at most 1 write and 0 reads per delivery, issue 21) (\`SIDE_FEATURES\` in bench/lib/cost/figures.ts), and only the synced tables' work (users; organizations, memberships and their tombstones) against the floor. The totals include both.
- **Organizations and memberships** (their shapes in \`bench/lib/stream/shapes.ts\`, made into a stream by the same generator as the users', \`bench/lib/stream/generate.ts\`): the same orders, the same 10% retries, the same instruments. Every organization is created and updated 3 times, 10% are deleted once their history is over; every membership is created and updated about 5 times (role, metadata and name changes, some clearing a field), 15% leave and half of those rejoin (a new membership id for the same user and organization). A membership event embeds its organization as it was when the event was emitted, so a membership can bring its organization before the organization's own event. Clerk sends no membership event when an organization is deleted: the receiver must remove its memberships. The floor is the users' oracle over both kinds, keeping one live membership per user and organization as the package promises: a part of a delivery that is not news costs nothing (the oracle knows), so the package's look at a membership event's embedded organization is one read beyond the floor, and a deletion's tombstone one write beyond it. A membership event is judged event by event against the floor (at most 1 read and 1 write beyond it, the user events' budget as issue 10 states it), an organization event too (no read beyond it; a deletion's tombstone the only write beyond it). The baseline is the guide's pattern applied to memberships (\`bench/baseline/convex/memberships.ts\`): one \`memberships\` table, a blind upsert by Clerk's membership id, a delete by id; it ignores organization events (the guide has no pattern for them), so it costs less than the floor there, keeps no organizations, and keeps the memberships of deleted organizations, on the in-order stream too: the only rows it gets wrong in time order.
- **Clerk Billing** (\`bench/lib/stream/billing.ts\`, a script the generator runs for the billing kinds, since one change of a subscription moves several items at once): payers (60% users the stream does not sync, whose items are stored all the same; 40% the stream's organizations, the deleted ones' billing rows removed with them) start on the free plan, then upgrade (a new paid item, the free one ends, a checkout payment attempt, 10% declined then retried), renew (the period moves on, a recurring attempt; 15% declined: the item is past due until a retry is paid), switch plans, or cancel (the paid item canceled and the free one upcoming, then ended and active again). Each change is sent twice, as Clerk does: each item as \`subscriptionItem.<status>\` (with its payer and \`subscription_id\`) and every item of the subscription nested in one \`subscription.*\` event (no payer of its own, \`subscription_id: null\`); payment attempts as \`paymentAttempt.created\` (pending) then \`.updated\` (paid or failed). Nothing is deleted by a billing event. The floor is the same oracle: a \`subscription.*\` event with k items is k changes, each costing 2 reads and 1 write if news and nothing if not; since a real receiver must read an item's row to know it is not news, the package may read 1 more than the floor per item beyond the first (\`readsPerMoreChange\`), and writes nothing beyond it. The baseline (\`bench/baseline/convex/billing.ts\`) is what people write by hand: one \`items\` table, a blind upsert by Clerk's item id of every item an event carries, in arrival order; it ignores payment attempts and organizations. Its rows go wrong when a stale copy (a late retry, or a \`subscription.*\` event carrying an item's older version) overwrites a newer one, and it keeps the items of deleted organizations. \`getBilling\` (\`billing.getByPayer\`) is measured once the component exports it (\`bench/lib/billingRead.ts\`): 1 component call, reading at most the payer's current and upcoming items and their plans.
- **Known gaps** (\`KNOWN_GAPS\` in bench/lib/cost/goals.ts): a goal the package misses today prints FAIL with why, and the most it costs today is enforced instead, so the gap cannot widen unseen; when the goal is met the line says to remove the entry.
- **Write-read conflicts** (issue 21, no hot document): \`bench/lib/bursts.ts\` sends bursts of N deliveries Clerk may send at once about N distinct objects (users created; users updated; users joining one organization, each event embedding the organization at the same version with its \`members_count\` one higher; billing items of distinct payers), and \`bench/lib/conflicts.ts\` counts the pairs that would conflict under Convex's OCC rule, treating the burst as fully concurrent: a pair conflicts if either one writes (insert, patch, replace, delete) a document the other read by id, or whose old or new index key lies in an index range the other read, as far as it read it (to the end, or to the last document a \`.first()\`, \`.unique()\` or \`.take(n)\` took). The instrument records each mutation's read set (ids, and index ranges as table, index and bounds from convex-test's query objects) and write set (table, id, old and new version); a mutation called by a mutation joins its transaction; queries never conflict. Each burst runs once at its largest size, one delivery at a time; a smaller burst is its first deliveries. Two controls (one user updated N times; N members joining, each embedding a newer organization version) must conflict in every pair, so a 0 elsewhere cannot come from a model that stopped seeing reads or writes. The webhook's health record per delivery is an insert into \`webhookDeliveries\`, whose ranges no delivery reads: it is in no pair.
- **onEvent** (\`bench/lib/onEvent.ts\`): events the package does not sync (\`session.created\`, \`email.created\`), each sent twice under one svix id, to the bench's app with its hooks wired (\`bench/component-app/convex/events.ts\`: an \`onEvent\` inserting one \`auditLog\` row, the app's own write; and hooks without \`onEvent\` on a second route). On a backend of its own: with hooks wired, every synced change also calls the app's hooks mutation (the INFO line shows it on a \`user.created\`), and the synced streams above are the README's setup with no hooks. The floor: a first delivery is 3 calls and 3 writes (the remembered svix id, the app's row, the health record), 0 reads; a redelivery 2 calls, 1 read (the remembered id), 1 write (health), the app not called; hooks without \`onEvent\` are asked once per isolate, then cost what no hooks cost. The baseline is a second hand-written endpoint (\`bench/baseline/convex/events.ts\`: svix verification and the app's write, nothing remembered): cheaper per delivery, but a redelivery repeats the app's side effect (twice the rows).
- **requireMembership** is one component query (\`memberships.get\`): it reads the pair's membership rows (one document) and looks up the organization's and the user's tombstones (index ranges that find no document while they are absent). The baseline reads its own table once.
- **Deleting an organization** (\`bench/lib/orgDeletion.ts\`): its memberships are written straight into the component's table (not measured), then \`organization.deleted\` goes through the webhook. Timers are held while it runs, and each scheduled batch is released alone and awaited (\`t.finishInProgressScheduledFunctions()\`), so each transaction is counted apart. Scheduling a function is not counted as a document written (the instrument counts tables). The probes run every membership read there is (getMembership, requireMembership, listMyOrganizations, memberships.get, listByOrganization, listByUser) as the first and the last member; the last member's row is removed by the last batch. Convex allows 16,000 documents written per transaction; the floor column is one batch. The baseline is not run: deleting by membership id, it removes none.
- Auth: one check per function is the common case; there the package pays a component query (a call and its bytes) where the baseline reads its own table, so it is slower in convex-test. A second check in the same function is free here and a second read in the baseline.
- Wall time is convex-test's in-memory backend on this machine: it compares the two implementations, it does not predict a deployment. Other processes on the machine add noise between runs, hence the median and the fastest round; timings are printed, never enforced.
- Bundles use the esbuild options of convex 1.48's bundler (syntax and identifiers minified, whitespace and names kept); \`convex\` is external. "Loading X" is the module plus the shared chunks it imports, what a cold start of that function loads.`;

const BEGIN = "<!-- bench/cost.ts: begin -->";
const END = "<!-- bench/cost.ts: end -->";

/** Replaces this benchmark's section of bench/RESULTS.md, leaving anything else in it alone; returns the file written. */
export function writeResults(text: string): string {
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
  return file;
}
