/* eslint-disable */
/**
 * Generated `api` utility.
 *
 * THIS CODE IS AUTOMATICALLY GENERATED.
 *
 * To regenerate, run `npx convex dev`.
 * @module
 */

import type * as apply from "../apply.js";
import type * as billing from "../billing.js";
import type * as billingHooks from "../billingHooks.js";
import type * as cascades from "../cascades.js";
import type * as copies from "../copies.js";
import type * as events from "../events.js";
import type * as health from "../health.js";
import type * as hooks from "../hooks.js";
import type * as invitationHooks from "../invitationHooks.js";
import type * as invitations from "../invitations.js";
import type * as kinds from "../kinds.js";
import type * as limits from "../limits.js";
import type * as lists from "../lists.js";
import type * as memberships from "../memberships.js";
import type * as ordering from "../ordering.js";
import type * as organizations from "../organizations.js";
import type * as privacy from "../privacy.js";
import type * as prune from "../prune.js";
import type * as reads from "../reads.js";
import type * as resync from "../resync.js";
import type * as resync_counts from "../resync/counts.js";
import type * as resync_lifecycle from "../resync/lifecycle.js";
import type * as resync_listing from "../resync/listing.js";
import type * as resync_pageLookup from "../resync/pageLookup.js";
import type * as resync_payer from "../resync/payer.js";
import type * as resync_plans from "../resync/plans.js";
import type * as resync_reconcile from "../resync/reconcile.js";
import type * as resync_runs from "../resync/runs.js";
import type * as rows from "../rows.js";
import type * as sync from "../sync.js";
import type * as users from "../users.js";

import type {
  ApiFromModules,
  FilterApi,
  FunctionReference,
} from "convex/server";
import { anyApi, componentsGeneric } from "convex/server";

const fullApi: ApiFromModules<{
  apply: typeof apply;
  billing: typeof billing;
  billingHooks: typeof billingHooks;
  cascades: typeof cascades;
  copies: typeof copies;
  events: typeof events;
  health: typeof health;
  hooks: typeof hooks;
  invitationHooks: typeof invitationHooks;
  invitations: typeof invitations;
  kinds: typeof kinds;
  limits: typeof limits;
  lists: typeof lists;
  memberships: typeof memberships;
  ordering: typeof ordering;
  organizations: typeof organizations;
  privacy: typeof privacy;
  prune: typeof prune;
  reads: typeof reads;
  resync: typeof resync;
  "resync/counts": typeof resync_counts;
  "resync/lifecycle": typeof resync_lifecycle;
  "resync/listing": typeof resync_listing;
  "resync/pageLookup": typeof resync_pageLookup;
  "resync/payer": typeof resync_payer;
  "resync/plans": typeof resync_plans;
  "resync/reconcile": typeof resync_reconcile;
  "resync/runs": typeof resync_runs;
  rows: typeof rows;
  sync: typeof sync;
  users: typeof users;
}> = anyApi as any;

/**
 * A utility for referencing Convex functions in your app's public API.
 *
 * Usage:
 * ```js
 * const myFunctionReference = api.myModule.myFunction;
 * ```
 */
export const api: FilterApi<
  typeof fullApi,
  FunctionReference<any, "public">
> = anyApi as any;

/**
 * A utility for referencing Convex functions in your app's internal API.
 *
 * Usage:
 * ```js
 * const myFunctionReference = internal.myModule.myFunction;
 * ```
 */
export const internal: FilterApi<
  typeof fullApi,
  FunctionReference<any, "internal">
> = anyApi as any;

export const components = componentsGeneric() as unknown as {};
