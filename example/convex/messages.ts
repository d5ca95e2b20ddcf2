import { v } from "convex/values";
import { getCurrentUser, hasPlan, requirePlan, requireRole, requireUser } from "convex-clerk-users";
import { components } from "./_generated/api";
import { query, mutation } from "./_generated/server";
import { userAction, userMutation, userQuery } from "./functions";

/** The signed-in user's synced row, or null (signed out, or not synced yet). */
export const me = query({
  args: {},
  handler: (ctx) => getCurrentUser(ctx, components.clerkUsers),
});

/** Anyone signed in and synced may post; Pro users get a badge read from the token, no DB read. */
export const send = mutation({
  args: { body: v.string() },
  handler: async (ctx, { body }) => {
    const user = await requireUser(ctx, components.clerkUsers);
    const identity = await ctx.auth.getUserIdentity();
    return await ctx.db.insert("messages", { clerkId: user.clerkId, author: user.name ?? user.clerkId, body, pro: hasPlan(identity, "pro") });
  },
});

/** Pro plan only. */
export const sendLong = mutation({
  args: { body: v.string() },
  handler: async (ctx, { body }) => {
    await requirePlan(ctx, "pro");
    const user = await requireUser(ctx, components.clerkUsers);
    return await ctx.db.insert("messages", { clerkId: user.clerkId, author: user.name ?? user.clerkId, body, pro: true });
  },
});

/** Organization admins only. */
export const clear = mutation({
  args: {},
  handler: async (ctx) => {
    await requireRole(ctx, "org:admin");
    for (const message of await ctx.db.query("messages").collect()) await ctx.db.delete("messages", message._id);
  },
});

/** The caller's own messages. */
export const mine = userQuery({
  args: {},
  handler: (ctx) =>
    ctx.db
      .query("messages")
      .withIndex("by_clerk_id", (q) => q.eq("clerkId", ctx.user.clerkId))
      .collect(),
});

/** Posting works even on the very first request after sign-up (a provisional row is made). */
export const post = userMutation({
  args: { body: v.string() },
  handler: (ctx, { body }) => ctx.db.insert("messages", { clerkId: ctx.user.clerkId, author: ctx.user.name ?? ctx.user.clerkId, body, pro: false }),
});

/** An action sees the same user. */
export const whoAmI = userAction({
  args: {},
  handler: async (ctx): Promise<string> => ctx.user.email ?? ctx.user.clerkId,
});
