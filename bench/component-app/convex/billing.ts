import type { FunctionReference } from "convex/server";
import { v } from "convex/values";
import { components } from "./_generated/api";
import { query } from "./_generated/server";

/**
 * The component's billing read, `billing.getByPayer`, named by hand: it is being written (the
 * bench measures it once src/component/billing.ts exports it, and skips with a note until then),
 * so the generated `components` does not declare it yet.
 */
type BillingReads = { billing: { getByPayer: FunctionReference<"query", "internal", { userId: string } | { orgId: string }, unknown> } };

/** Bench probe: a payer's billing, as an app reads it (one component query). */
export const getBilling = query({
  args: { payer: v.union(v.object({ userId: v.string() }), v.object({ orgId: v.string() })) },
  handler: async (ctx, { payer }) => await ctx.runQuery((components.clerkUsers as unknown as BillingReads).billing.getByPayer, payer),
});
