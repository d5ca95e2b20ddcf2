import type { Auth, FunctionArgs, FunctionReference, FunctionReturnType, UserIdentity } from "convex/server";
import type { ComponentApi } from "../component/_generated/component.js";
import { clerkUsersError } from "../shared/errors.js";
import { PROVISIONAL_UPDATED_AT, type User } from "../shared/validators.js";
import { requireIdentity, signedInIdentity, type SessionOptions } from "./session.js";

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

export type RequireUserOptions = SessionOptions & {
  /**
   * When signed in but not synced yet (Clerk's webhook often lands after the user's first
   * request), create a provisional row from the identity's claims instead of throwing.
   * Clerk's first real version replaces it. Mutations and actions only.
   */
  createIfMissing?: boolean;
};

// The current user, read once per query or mutation. Both are transactions: a second read of
// the row would return the same row, so it is kept for the rest of the invocation. The key is
// `ctx.db`: Convex makes a new one for each invocation, and custom functions pass it on as it is.
// (`ctx.auth` is no such key: convex-test hands one auth object to every call made through a
// `t.withIdentity(...)` accessor, so a row kept by it outlived the call.) An action has no `db`
// and is no transaction, so there each call reads the row as it is now.
const cache = new WeakMap<object, Map<string, User>>();

function invocationOf(ctx: RunQueryCtx): object | undefined {
  const db = (ctx as { db?: unknown }).db;
  return typeof db === "object" && db !== null ? db : undefined;
}

/**
 * The synced user for the signed-in identity, or null when signed out, pending (see
 * `SessionOptions`) or not synced yet.
 * ```ts
 * const user = await getCurrentUser(ctx, components.clerkUsers);
 * ```
 */
export async function getCurrentUser(ctx: RunQueryCtx, component: ComponentApi, options?: SessionOptions): Promise<User | null> {
  const identity = await signedInIdentity(ctx, options);
  return identity ? await userFor(ctx, component, identity) : null;
}

/**
 * The synced user for the signed-in identity, or a `ConvexError` whose `data.code` is
 * `"UNAUTHENTICATED"` (signed out, or a pending session: see `SessionOptions`) or `"USER_NOT_FOUND"` (webhook not landed yet).
 * ```ts
 * const user = await requireUser(ctx, components.clerkUsers);
 * const user = await requireUser(ctx, components.clerkUsers, { createIfMissing: true }); // mutations
 * ```
 */
export async function requireUser(ctx: RunQueryCtx, component: ComponentApi, options?: SessionOptions & { createIfMissing?: false }): Promise<User>;
export async function requireUser(ctx: RunMutationCtx, component: ComponentApi, options: RequireUserOptions): Promise<User>;
export async function requireUser(ctx: RunQueryCtx | RunMutationCtx, component: ComponentApi, options: RequireUserOptions = {}): Promise<User> {
  return (await requireUserAndIdentity(ctx, component, options)).user;
}

/** `requireUser`, also returning the identity it read (for custom functions). */
export async function requireUserAndIdentity(
  ctx: RunQueryCtx | RunMutationCtx,
  component: ComponentApi,
  options: RequireUserOptions = {},
): Promise<{ user: User; identity: UserIdentity }> {
  const identity = await requireIdentity(ctx, options);
  let user = await userFor(ctx, component, identity);
  if (!user && options.createIfMissing) {
    if (!("runMutation" in ctx)) throw new Error("requireUser: createIfMissing needs a mutation or action ctx.");
    user = await ctx.runMutation(component.sync.ensureUser, { user: provisionalUser(identity) });
    if (user) remember(ctx, identity.subject, user);
  }
  if (!user) {
    throw clerkUsersError("USER_NOT_FOUND", "Your account is still being set up: Clerk's webhook has not synced this user yet.");
  }
  return { user, identity };
}

async function userFor(ctx: RunQueryCtx, component: ComponentApi, identity: UserIdentity): Promise<User | null> {
  const invocation = invocationOf(ctx);
  const cached = invocation && cache.get(invocation)?.get(identity.subject);
  if (cached) return cached;
  const user = await ctx.runQuery(component.users.getByClerkId, { clerkId: identity.subject });
  // Only found users are remembered: a missing one may be created later in the same function.
  if (user) remember(ctx, identity.subject, user);
  return user;
}

function remember(ctx: RunQueryCtx, clerkId: string, user: User) {
  const invocation = invocationOf(ctx);
  if (!invocation) return;
  let users = cache.get(invocation);
  if (!users) cache.set(invocation, (users = new Map()));
  users.set(clerkId, user);
}

/** The claims Clerk puts in every session token, as Convex exposes them. */
function provisionalUser(identity: UserIdentity) {
  // Claims are whatever the token carries: a JWT template can put an object or a number under
  // any of these names, and only a string belongs in a string field.
  const str = (value: unknown) => (typeof value === "string" && value ? value : undefined);
  const name = str(identity.name) ?? ([str(identity.givenName), str(identity.familyName)].filter(Boolean).join(" ") || undefined);
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
export function withUser(component: ComponentApi, options?: SessionOptions & { createIfMissing?: false }): UserCustomization<RunQueryCtx>;
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
