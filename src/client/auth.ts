import type { Auth, FunctionArgs, FunctionReference, FunctionReturnType, UserIdentity } from "convex/server";
import type { ComponentApi } from "../component/_generated/component.js";
import { clerkUsersError } from "../shared/errors.js";
import { PROVISIONAL_UPDATED_AT, type User } from "../shared/validators.js";

/** Any query, mutation or action ctx: all the current-user helpers need. */
export type RunQueryCtx = {
  auth: Auth;
  runQuery: <Query extends FunctionReference<"query", "internal">>(query: Query, args: FunctionArgs<Query>) => Promise<FunctionReturnType<Query>>;
};
/** A mutation or action ctx: needed to create a provisional row. */
export type RunMutationCtx = RunQueryCtx & {
  runMutation: <Mutation extends FunctionReference<"mutation", "internal">>(
    mutation: Mutation,
    args: FunctionArgs<Mutation>,
  ) => Promise<FunctionReturnType<Mutation>>;
};

export type RequireUserOptions = {
  /**
   * When signed in but not synced yet (Clerk's webhook often lands after the user's first
   * request), create a provisional row from the identity's claims instead of throwing.
   * Clerk's first real version replaces it. Mutations and actions only.
   */
  createIfMissing?: boolean;
};

// One component query per function invocation: each invocation gets its own `ctx.auth`,
// which also survives the ctx spreading custom functions do.
const cache = new WeakMap<Auth, Map<string, User>>();

/**
 * The synced user for the signed-in identity, or null when signed out or not synced yet.
 * ```ts
 * const user = await getCurrentUser(ctx, components.clerkUsers);
 * ```
 */
export async function getCurrentUser(ctx: RunQueryCtx, component: ComponentApi): Promise<User | null> {
  const identity = await ctx.auth.getUserIdentity();
  return identity ? await userFor(ctx, component, identity) : null;
}

/**
 * The synced user for the signed-in identity, or a `ConvexError` whose `data.code` is
 * `"UNAUTHENTICATED"` (signed out) or `"USER_NOT_FOUND"` (webhook not landed yet).
 * ```ts
 * const user = await requireUser(ctx, components.clerkUsers);
 * const user = await requireUser(ctx, components.clerkUsers, { createIfMissing: true }); // mutations
 * ```
 */
export async function requireUser(ctx: RunQueryCtx, component: ComponentApi, options?: { createIfMissing?: false }): Promise<User>;
export async function requireUser(ctx: RunMutationCtx, component: ComponentApi, options: RequireUserOptions): Promise<User>;
export async function requireUser(
  ctx: RunQueryCtx | RunMutationCtx,
  component: ComponentApi,
  options: RequireUserOptions = {},
): Promise<User> {
  return (await requireUserAndIdentity(ctx, component, options)).user;
}

/** `requireUser`, also returning the identity it read (for custom functions). */
export async function requireUserAndIdentity(
  ctx: RunQueryCtx | RunMutationCtx,
  component: ComponentApi,
  options: RequireUserOptions = {},
): Promise<{ user: User; identity: UserIdentity }> {
  const identity = await ctx.auth.getUserIdentity();
  if (!identity) throw clerkUsersError("UNAUTHENTICATED", "Sign in to continue.");
  let user = await userFor(ctx, component, identity);
  if (!user && options.createIfMissing) {
    if (!("runMutation" in ctx)) throw new Error("requireUser: createIfMissing needs a mutation or action ctx.");
    user = await ctx.runMutation(component.sync.ensureUser, { user: provisionalUser(identity) });
    if (user) remember(ctx.auth, identity.subject, user);
  }
  if (!user) {
    throw clerkUsersError("USER_NOT_FOUND", "Your account is still being set up: Clerk's webhook has not synced this user yet.");
  }
  return { user, identity };
}

async function userFor(ctx: RunQueryCtx, component: ComponentApi, identity: UserIdentity): Promise<User | null> {
  const cached = cache.get(ctx.auth)?.get(identity.subject);
  if (cached) return cached;
  const user = await ctx.runQuery(component.users.getByClerkId, { clerkId: identity.subject });
  // Only found users are remembered: a missing one may be created later in the same function.
  if (user) remember(ctx.auth, identity.subject, user);
  return user;
}

function remember(auth: Auth, clerkId: string, user: User) {
  let users = cache.get(auth);
  if (!users) cache.set(auth, (users = new Map()));
  users.set(clerkId, user);
}

/** The claims Clerk puts in every session token, as Convex exposes them. */
function provisionalUser(identity: UserIdentity) {
  const str = (value: unknown) => (typeof value === "string" && value ? value : undefined);
  const name = str(identity.name) ?? ([identity.givenName, identity.familyName].filter(Boolean).join(" ") || undefined);
  const user = {
    clerkId: identity.subject,
    email: str(identity.email)?.toLowerCase(),
    emailVerified: typeof identity.emailVerified === "boolean" ? identity.emailVerified : undefined,
    firstName: str(identity.givenName),
    lastName: str(identity.familyName),
    name,
    username: str(identity.nickname),
    imageUrl: str(identity.pictureUrl),
    updatedAt: PROVISIONAL_UPDATED_AT,
  };
  return Object.fromEntries(Object.entries(user).filter(([, value]) => value !== undefined)) as typeof user;
}

/**
 * A convex-helpers customization putting the synced `user` and the `identity` on ctx,
 * throwing like `requireUser` when there is none.
 * ```ts
 * // convex/functions.ts
 * export const userQuery = customQuery(query, withUser(components.clerkUsers));
 * export const userMutation = customMutation(mutation, withUser(components.clerkUsers, { createIfMissing: true }));
 * export const userAction = customAction(action, withUser(components.clerkUsers));
 * ```
 */
export function withUser(component: ComponentApi, options?: { createIfMissing?: false }): UserCustomization<RunQueryCtx>;
export function withUser(component: ComponentApi, options: RequireUserOptions): UserCustomization<RunMutationCtx>;
export function withUser(component: ComponentApi, options: RequireUserOptions = {}): UserCustomization<RunQueryCtx> {
  return {
    args: {},
    input: async (ctx: RunQueryCtx) => ({ ctx: await requireUserAndIdentity(ctx, component, options), args: {} }),
  };
}

/** What `withUser` returns: pass it to `customQuery`, `customMutation` or `customAction`. */
export type UserCustomization<Ctx> = {
  args: Record<string, never>;
  input: (ctx: Ctx) => Promise<{ ctx: { user: User; identity: UserIdentity }; args: Record<string, never> }>;
};
