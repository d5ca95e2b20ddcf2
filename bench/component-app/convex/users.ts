import { requireUser } from "convex-clerk-users";
import { components } from "./_generated/api";
import { query } from "./_generated/server";

/** Bench probes: one auth check, and two in the same function (e.g. a helper and the handler). */
export const authOnce = query({
  args: {},
  handler: async (ctx) => (await requireUser(ctx, components.clerkUsers)).clerkId,
});

export const authTwice = query({
  args: {},
  handler: async (ctx) => {
    await requireUser(ctx, components.clerkUsers);
    return (await requireUser(ctx, components.clerkUsers)).clerkId;
  },
});
