// Convex's Clerk guide's users.ts: upsert/delete by `externalId`, and the current-user helpers.
import type { UserJSON } from "@clerk/backend";
import { v, type Validator } from "convex/values";
import { internalMutation, query, type QueryCtx } from "./_generated/server";

/**
 * The guide stores `name` and `externalId`; the other fields match what the package stores.
 * Every field is present, `undefined` when Clerk has none: the guide's `patch` then removes it,
 * so a cleared name or username is cleared here too (insert drops undefined fields).
 */
export function userAttributes(data: UserJSON) {
  const email = data.email_addresses?.find((e) => e.id === data.primary_email_address_id);
  const attributes = {
    externalId: data.id,
    name: `${data.first_name} ${data.last_name}`,
    email: email?.email_address,
    emailVerified: email ? email.verification?.status === "verified" : undefined,
    username: data.username ?? undefined,
    firstName: data.first_name ?? undefined,
    lastName: data.last_name ?? undefined,
    imageUrl: data.image_url || undefined,
    publicMetadata: Object.keys(data.public_metadata ?? {}).length > 0 ? data.public_metadata : undefined,
    createdAt: data.created_at ?? undefined,
    updatedAt: data.updated_at,
    lastSignInAt: data.last_sign_in_at ?? undefined,
  };
  return attributes;
}

export const upsertFromClerk = internalMutation({
  args: { data: v.any() as Validator<UserJSON> }, // no runtime validation for Clerk payloads
  async handler(ctx, { data }) {
    const attributes = userAttributes(data);
    const user = await userByExternalId(ctx, data.id);
    if (user === null) {
      await ctx.db.insert("users", attributes);
    } else {
      await ctx.db.patch(user._id, attributes);
    }
  },
});

export const deleteFromClerk = internalMutation({
  args: { clerkUserId: v.string() },
  async handler(ctx, { clerkUserId }) {
    const user = await userByExternalId(ctx, clerkUserId);
    if (user !== null) {
      await ctx.db.delete(user._id);
    } else {
      console.warn(`Can't delete user, there is none for Clerk user ID: ${clerkUserId}`);
    }
  },
});

export async function getCurrentUserOrThrow(ctx: QueryCtx) {
  const userRecord = await getCurrentUser(ctx);
  if (!userRecord) throw new Error("Can't get current user");
  return userRecord;
}

export async function getCurrentUser(ctx: QueryCtx) {
  const identity = await ctx.auth.getUserIdentity();
  if (identity === null) {
    return null;
  }
  return await userByExternalId(ctx, identity.subject);
}

async function userByExternalId(ctx: QueryCtx, externalId: string) {
  return await ctx.db
    .query("users")
    .withIndex("byExternalId", (q) => q.eq("externalId", externalId))
    .unique();
}

/** Bench probes: one auth check, and two in the same function (e.g. a helper and the handler). */
export const authOnce = query({
  args: {},
  handler: async (ctx) => (await getCurrentUserOrThrow(ctx)).externalId,
});

export const authTwice = query({
  args: {},
  handler: async (ctx) => {
    await getCurrentUserOrThrow(ctx);
    return (await getCurrentUserOrThrow(ctx)).externalId;
  },
});
