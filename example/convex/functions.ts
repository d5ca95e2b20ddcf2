import { customAction, customMutation, customQuery } from "convex-helpers/server/customFunctions";
import { withUser } from "convex-clerk-users";
import { components } from "./_generated/api";
import { action, mutation, query } from "./_generated/server";

/** Queries with `ctx.user` (the synced row) and `ctx.identity`; signed-out or unsynced callers get a ConvexError. */
export const userQuery = customQuery(query, withUser(components.clerkUsers));
/** Mutations with `ctx.user`; a user whose webhook has not landed yet gets a provisional row. */
export const userMutation = customMutation(mutation, withUser(components.clerkUsers, { createIfMissing: true }));
/** Actions with `ctx.user`. */
export const userAction = customAction(action, withUser(components.clerkUsers));
