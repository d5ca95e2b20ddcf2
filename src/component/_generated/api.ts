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
import type * as backfill from "../backfill.js";
import type * as cascades from "../cascades.js";
import type * as copies from "../copies.js";
import type * as health from "../health.js";
import type * as hooks from "../hooks.js";
import type * as kinds from "../kinds.js";
import type * as lists from "../lists.js";
import type * as memberships from "../memberships.js";
import type * as ordering from "../ordering.js";
import type * as organizations from "../organizations.js";
import type * as pageLookup from "../pageLookup.js";
import type * as prune from "../prune.js";
import type * as reads from "../reads.js";
import type * as rows from "../rows.js";
import type * as runLifecycle from "../runLifecycle.js";
import type * as sync from "../sync.js";
import type * as users from "../users.js";
import type * as windows from "../windows.js";

import type {
  ApiFromModules,
  FilterApi,
  FunctionReference,
} from "convex/server";
import { anyApi, componentsGeneric } from "convex/server";

const fullApi: ApiFromModules<{
  apply: typeof apply;
  backfill: typeof backfill;
  cascades: typeof cascades;
  copies: typeof copies;
  health: typeof health;
  hooks: typeof hooks;
  kinds: typeof kinds;
  lists: typeof lists;
  memberships: typeof memberships;
  ordering: typeof ordering;
  organizations: typeof organizations;
  pageLookup: typeof pageLookup;
  prune: typeof prune;
  reads: typeof reads;
  rows: typeof rows;
  runLifecycle: typeof runLifecycle;
  sync: typeof sync;
  users: typeof users;
  windows: typeof windows;
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
