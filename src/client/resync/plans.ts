import { planFromClerk, type PlanFields } from "../../shared/billing.js";
import { idOf } from "../../shared/paging.js";
import type { Handback } from "../../shared/resync.js";
import { ClerkApiError, isPostponed, type ClerkApi, type Postponed } from "./clerkApi.js";

/**
 * Clerk Billing's plans, as a resync reads them: the whole list at once, handed back in one piece
 * (the component replaces its catalog with it: component/resync/plans.ts). Plans are few, so one
 * page of the run's page size most often holds them all.
 */

/** Every plan, newest first, `{ data, total_count }`; a plan has no `created_at` (`CommercePlan`). */
export const PLANS_PATH = "/v1/billing/plans";

/** Readings of the whole list before giving up on one that holds still while it is read. */
export const PLAN_READINGS = 3;

/**
 * Every plan Clerk lists, in pages of `limit` that overlap by one plan: a page continues the list
 * when its first plan is the previous page's last (`continues`). Plans have no creation time to
 * tell a shifted page by, and a plan created or deleted between two pages shifts the rest: then
 * the list is read again from the start, up to `PLAN_READINGS` times (`BAD_RESPONSE` after).
 * A listing that did not complete is never returned: the catalog is replaced only by a whole one.
 */
export async function listPlans(api: ClerkApi, limit: number): Promise<unknown[] | Postponed> {
  if (!Number.isInteger(limit) || limit < 2) throw new RangeError(`Plans are read in pages of at least 2 (they overlap by one), got ${limit}`);
  for (let reading = 1; ; reading++) {
    const plans = await readPlans(api, limit);
    if (plans !== null) return plans;
    if (reading >= PLAN_READINGS) {
      throw new ClerkApiError("BAD_RESPONSE", `Clerk's list of plans (GET ${PLANS_PATH}) changed while it was read, ${PLAN_READINGS} times in a row.`);
    }
  }
}

/** One reading of the whole list; null if a page did not continue the last. */
async function readPlans(api: ClerkApi, limit: number): Promise<unknown[] | Postponed | null> {
  const plans: unknown[] = [];
  for (let offset = 0; ; offset += limit - 1) {
    const page = await api.listPage(PLANS_PATH, { limit, offset });
    if (isPostponed(page)) return page;
    if (offset > 0 && !continues(plans, page)) return null;
    plans.push(...(offset > 0 ? page.slice(1) : page));
    if (page.length < limit) return plans;
  }
}

/** Whether `page`, read at the offset of the last plan read so far, starts with that plan. */
export function continues(read: readonly unknown[], page: readonly unknown[]): boolean {
  const last = idOf(read[read.length - 1]);
  return page.length > 0 && last !== undefined && idOf(page[0]) === last;
}

/** The `plans` handback of a complete listing: every id, the storable plans (each once), and the ids of the others. */
export function plansHandback(listed: readonly unknown[]): Extract<Handback, { op: "plans" }> {
  const ids = new Set<string>();
  const plans: PlanFields[] = [];
  const invalid: string[] = [];
  for (const json of listed) {
    const id = idOf(json);
    if (id !== undefined && ids.has(id)) continue;
    if (id !== undefined) ids.add(id);
    const plan = planFromClerk(json);
    if (plan) plans.push(plan);
    else invalid.push(id ?? "(no id)");
  }
  return { op: "plans", listed: [...ids], plans, invalid };
}
