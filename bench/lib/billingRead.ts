/**
 * `getBilling`'s cost: the component query `billing.getByPayer({ userId } | { orgId })`, read by
 * the app in a query (bench/component-app/convex/billing.ts), for a payer of the realistic
 * billing stream with current and upcoming items, beside the bench's plans. That query is being
 * written (src/component/billing.ts): until the component exports it, the measurement is skipped
 * with a note, and starts once it does.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { CURRENT_STATUSES, subscriptionItem } from "../../src/shared/kinds/subscriptionItem.js";
import { root, type Backend } from "./backends.js";
import { emptyCounts, measure, type Counts } from "./instrument.js";
import { BENCH_PLANS } from "./stream/billing.js";

export type BillingRead =
  | { skipped: string }
  | {
      payer: { userId: string } | { orgId: string };
      /** The payer's current and upcoming items in the table, and the plans of those in the catalog: what the read may touch. */
      items: number;
      plans: number;
      /** Beyond the probe query itself. */
      cost: Counts;
    };

const MODULE = "src/component/billing.ts";
const READ_STATUSES = [...CURRENT_STATUSES, "upcoming"];

/** Whether the component exports `billing.getByPayer` yet. */
async function getByPayerExists(): Promise<boolean> {
  const file = path.join(root, MODULE);
  if (!existsSync(file)) return false;
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  return module.getByPayer !== undefined;
}

/** Measures one `getBilling` on `backend` (the package's, the stream applied), or says why not. */
export async function measureBillingRead(backend: Backend): Promise<BillingRead> {
  if (!(await getByPayerExists()) || !backend.billing)
    return { skipped: `components.clerkUsers.billing.getByPayer does not exist yet (${MODULE}): not measured` };
  await backend.billing.seedPlans(
    BENCH_PLANS.map((plan) => ({
      clerkId: plan.id,
      slug: plan.slug,
      name: plan.name,
      isDefault: plan.amount === 0,
      isRecurring: plan.amount > 0,
      features: [],
    })),
  );
  // The payer with the most items the read may return (a canceled paid item and the upcoming free one, at best).
  const rows = [...(await backend.rows(subscriptionItem))!.values()] as { userId?: string; orgId?: string; status: string; planSlug?: string }[];
  const byPayer = new Map<string, typeof rows>();
  for (const row of rows) {
    if (!READ_STATUSES.includes(row.status)) continue;
    const key = row.orgId ? `org:${row.orgId}` : `user:${row.userId}`;
    byPayer.set(key, [...(byPayer.get(key) ?? []), row]);
  }
  const [key, read] = [...byPayer].sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b))[0] ?? [];
  if (!key || !read) return { skipped: "no payer with a current item in the stream: not measured" };
  const payer = key.startsWith("org:") ? { orgId: key.slice(4) } : { userId: key.slice(5) };
  const plans = new Set(read.map((row) => row.planSlug).filter((slug) => BENCH_PLANS.some((plan) => plan.slug === slug))).size;
  const { counts } = await measure(() => backend.billing!.get(payer));
  return { payer, items: read.length, plans, cost: minusProbe(counts) };
}

/** The probe query is one call; what the read adds is the rest. */
function minusProbe(counts: Counts): Counts {
  const calls = { ...counts.calls, query: (counts.calls.query ?? 0) - 1 };
  if (calls.query === 0) delete (calls as Record<string, number>).query;
  return { ...emptyCounts(), ...counts, calls };
}
