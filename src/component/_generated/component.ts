/* eslint-disable */
/**
 * Generated `ComponentApi` utility.
 *
 * THIS CODE IS AUTOMATICALLY GENERATED.
 *
 * To regenerate, run `npx convex dev`.
 * @module
 */

import type { FunctionReference } from "convex/server";

/**
 * A utility for referencing a Convex component's exposed API.
 *
 * Useful when expecting a parameter like `components.myComponent`.
 * Usage:
 * ```ts
 * async function myFunction(ctx: QueryCtx, component: ComponentApi) {
 *   return ctx.runQuery(component.someFile.someQuery, { ...args });
 * }
 * ```
 */
export type ComponentApi<Name extends string | undefined = string | undefined> =
  {
    backfill: {
      applyRecheck: FunctionReference<
        "mutation",
        "internal",
        {
          allowMassRemoval?: boolean;
          found:
            | {
                kind: "user";
                rows: Array<{
                  clerkId: string;
                  createdAt?: number;
                  email?: string;
                  emailVerified?: boolean;
                  externalId?: string;
                  firstName?: string;
                  imageUrl?: string;
                  lastName?: string;
                  lastSignInAt?: number;
                  name?: string;
                  phoneNumber?: string;
                  provisional?: true;
                  publicMetadata?: Record<string, any>;
                  updatedAt: number;
                  username?: string;
                }>;
              }
            | {
                kind: "organization";
                rows: Array<{
                  adminDeleteEnabled?: boolean;
                  clerkId: string;
                  createdAt?: number;
                  createdBy?: string;
                  imageUrl?: string;
                  maxAllowedMemberships?: number;
                  membersCount?: number;
                  name: string;
                  publicMetadata?: Record<string, any>;
                  slug?: string;
                  updatedAt: number;
                }>;
              }
            | {
                kind: "membership";
                rows: Array<{
                  clerkId: string;
                  createdAt?: number;
                  firstName?: string;
                  identifier?: string;
                  imageUrl?: string;
                  lastName?: string;
                  orgId: string;
                  permissions: Array<string>;
                  publicMetadata?: Record<string, any>;
                  role: string;
                  updatedAt: number;
                  userDataAt?: number;
                  userId: string;
                }>;
              };
          foundIds: Array<string>;
          hooks?: string;
          last: boolean;
          lease: string;
          missing: Array<string>;
          requests: number;
          runId: string;
        },
        {
          created: number;
          finishedAt?: number;
          heartbeatAt: number;
          invalidUserIds: Array<string>;
          invalidUsers: number;
          kind: "user" | "organization" | "membership";
          kinds: Array<"user" | "organization" | "membership">;
          lastError?: {
            at: number;
            code:
              | "MISSING_SECRET_KEY"
              | "UNAUTHORIZED"
              | "RATE_LIMITED"
              | "CLERK_UNAVAILABLE"
              | "CLERK_REQUEST_REJECTED"
              | "BAD_RESPONSE"
              | "TOO_MANY_REMOVALS"
              | "SYNC_FAILED";
            message: string;
          };
          memberships?: {
            created: number;
            invalid: number;
            invalidIds: Array<string>;
            removed: number;
            seen: number;
            tombstoned: number;
            unchanged: number;
            updated: number;
          };
          organizations?: {
            created: number;
            invalid: number;
            invalidIds: Array<string>;
            removed: number;
            seen: number;
            tombstoned: number;
            unchanged: number;
            updated: number;
          };
          pagesDone: number;
          phase: "listing" | "reconciling";
          removed: number;
          requests: number;
          runId: string;
          startedAt: number;
          state: "running" | "completed" | "failed";
          steps: number;
          tombstoned: number;
          unchanged: number;
          updated: number;
          usersSeen: number;
        } | null,
        Name
      >;
      checkpoint: FunctionReference<
        "mutation",
        "internal",
        { lease: string; requests: number; runId: string },
        {
          created: number;
          finishedAt?: number;
          heartbeatAt: number;
          invalidUserIds: Array<string>;
          invalidUsers: number;
          kind: "user" | "organization" | "membership";
          kinds: Array<"user" | "organization" | "membership">;
          lastError?: {
            at: number;
            code:
              | "MISSING_SECRET_KEY"
              | "UNAUTHORIZED"
              | "RATE_LIMITED"
              | "CLERK_UNAVAILABLE"
              | "CLERK_REQUEST_REJECTED"
              | "BAD_RESPONSE"
              | "TOO_MANY_REMOVALS"
              | "SYNC_FAILED";
            message: string;
          };
          memberships?: {
            created: number;
            invalid: number;
            invalidIds: Array<string>;
            removed: number;
            seen: number;
            tombstoned: number;
            unchanged: number;
            updated: number;
          };
          organizations?: {
            created: number;
            invalid: number;
            invalidIds: Array<string>;
            removed: number;
            seen: number;
            tombstoned: number;
            unchanged: number;
            updated: number;
          };
          pagesDone: number;
          phase: "listing" | "reconciling";
          removed: number;
          requests: number;
          runId: string;
          startedAt: number;
          state: "running" | "completed" | "failed";
          steps: number;
          tombstoned: number;
          unchanged: number;
          updated: number;
          usersSeen: number;
        } | null,
        Name
      >;
      commitPage: FunctionReference<
        "mutation",
        "internal",
        {
          done: boolean;
          from: number;
          hooks?: string;
          invalid: Array<string>;
          lease: string;
          next: {
            boundary?: { createdAt: number; ids: Array<string> };
            offset: number;
          };
          page:
            | {
                kind: "user";
                rows: Array<{
                  clerkId: string;
                  createdAt?: number;
                  email?: string;
                  emailVerified?: boolean;
                  externalId?: string;
                  firstName?: string;
                  imageUrl?: string;
                  lastName?: string;
                  lastSignInAt?: number;
                  name?: string;
                  phoneNumber?: string;
                  provisional?: true;
                  publicMetadata?: Record<string, any>;
                  updatedAt: number;
                  username?: string;
                }>;
              }
            | {
                kind: "organization";
                rows: Array<{
                  adminDeleteEnabled?: boolean;
                  clerkId: string;
                  createdAt?: number;
                  createdBy?: string;
                  imageUrl?: string;
                  maxAllowedMemberships?: number;
                  membersCount?: number;
                  name: string;
                  publicMetadata?: Record<string, any>;
                  slug?: string;
                  updatedAt: number;
                }>;
              }
            | {
                kind: "membership";
                rows: Array<{
                  clerkId: string;
                  createdAt?: number;
                  firstName?: string;
                  identifier?: string;
                  imageUrl?: string;
                  lastName?: string;
                  orgId: string;
                  permissions: Array<string>;
                  publicMetadata?: Record<string, any>;
                  role: string;
                  updatedAt: number;
                  userDataAt?: number;
                  userId: string;
                }>;
              };
          repeated: number;
          requests: number;
          runId: string;
          seen: Array<string>;
        },
        {
          status: {
            created: number;
            finishedAt?: number;
            heartbeatAt: number;
            invalidUserIds: Array<string>;
            invalidUsers: number;
            kind: "user" | "organization" | "membership";
            kinds: Array<"user" | "organization" | "membership">;
            lastError?: {
              at: number;
              code:
                | "MISSING_SECRET_KEY"
                | "UNAUTHORIZED"
                | "RATE_LIMITED"
                | "CLERK_UNAVAILABLE"
                | "CLERK_REQUEST_REJECTED"
                | "BAD_RESPONSE"
                | "TOO_MANY_REMOVALS"
                | "SYNC_FAILED";
              message: string;
            };
            memberships?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            organizations?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            pagesDone: number;
            phase: "listing" | "reconciling";
            removed: number;
            requests: number;
            runId: string;
            startedAt: number;
            state: "running" | "completed" | "failed";
            steps: number;
            tombstoned: number;
            unchanged: number;
            updated: number;
            usersSeen: number;
          };
          windowLeft: boolean;
        } | null,
        Name
      >;
      continueRun: FunctionReference<
        "mutation",
        "internal",
        { lease: string; runId: string },
        {
          cursor: {
            boundary?: { createdAt: number; ids: Array<string> };
            offset: number;
          };
          status: {
            created: number;
            finishedAt?: number;
            heartbeatAt: number;
            invalidUserIds: Array<string>;
            invalidUsers: number;
            kind: "user" | "organization" | "membership";
            kinds: Array<"user" | "organization" | "membership">;
            lastError?: {
              at: number;
              code:
                | "MISSING_SECRET_KEY"
                | "UNAUTHORIZED"
                | "RATE_LIMITED"
                | "CLERK_UNAVAILABLE"
                | "CLERK_REQUEST_REJECTED"
                | "BAD_RESPONSE"
                | "TOO_MANY_REMOVALS"
                | "SYNC_FAILED";
              message: string;
            };
            memberships?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            organizations?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            pagesDone: number;
            phase: "listing" | "reconciling";
            removed: number;
            requests: number;
            runId: string;
            startedAt: number;
            state: "running" | "completed" | "failed";
            steps: number;
            tombstoned: number;
            unchanged: number;
            updated: number;
            usersSeen: number;
          };
          windowLeft: boolean;
        } | null,
        Name
      >;
      fail: FunctionReference<
        "mutation",
        "internal",
        {
          code:
            | "MISSING_SECRET_KEY"
            | "UNAUTHORIZED"
            | "RATE_LIMITED"
            | "CLERK_UNAVAILABLE"
            | "CLERK_REQUEST_REJECTED"
            | "BAD_RESPONSE"
            | "TOO_MANY_REMOVALS"
            | "SYNC_FAILED";
          lease: string;
          message: string;
          requests: number;
          runId: string;
        },
        {
          created: number;
          finishedAt?: number;
          heartbeatAt: number;
          invalidUserIds: Array<string>;
          invalidUsers: number;
          kind: "user" | "organization" | "membership";
          kinds: Array<"user" | "organization" | "membership">;
          lastError?: {
            at: number;
            code:
              | "MISSING_SECRET_KEY"
              | "UNAUTHORIZED"
              | "RATE_LIMITED"
              | "CLERK_UNAVAILABLE"
              | "CLERK_REQUEST_REJECTED"
              | "BAD_RESPONSE"
              | "TOO_MANY_REMOVALS"
              | "SYNC_FAILED";
            message: string;
          };
          memberships?: {
            created: number;
            invalid: number;
            invalidIds: Array<string>;
            removed: number;
            seen: number;
            tombstoned: number;
            unchanged: number;
            updated: number;
          };
          organizations?: {
            created: number;
            invalid: number;
            invalidIds: Array<string>;
            removed: number;
            seen: number;
            tombstoned: number;
            unchanged: number;
            updated: number;
          };
          pagesDone: number;
          phase: "listing" | "reconciling";
          removed: number;
          requests: number;
          runId: string;
          startedAt: number;
          state: "running" | "completed" | "failed";
          steps: number;
          tombstoned: number;
          unchanged: number;
          updated: number;
          usersSeen: number;
        } | null,
        Name
      >;
      judgeWindow: FunctionReference<
        "mutation",
        "internal",
        { lease: string; runId: string },
        {
          status: {
            created: number;
            finishedAt?: number;
            heartbeatAt: number;
            invalidUserIds: Array<string>;
            invalidUsers: number;
            kind: "user" | "organization" | "membership";
            kinds: Array<"user" | "organization" | "membership">;
            lastError?: {
              at: number;
              code:
                | "MISSING_SECRET_KEY"
                | "UNAUTHORIZED"
                | "RATE_LIMITED"
                | "CLERK_UNAVAILABLE"
                | "CLERK_REQUEST_REJECTED"
                | "BAD_RESPONSE"
                | "TOO_MANY_REMOVALS"
                | "SYNC_FAILED";
              message: string;
            };
            memberships?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            organizations?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            pagesDone: number;
            phase: "listing" | "reconciling";
            removed: number;
            requests: number;
            runId: string;
            startedAt: number;
            state: "running" | "completed" | "failed";
            steps: number;
            tombstoned: number;
            unchanged: number;
            updated: number;
            usersSeen: number;
          };
          windowLeft: boolean;
        } | null,
        Name
      >;
      nextCandidates: FunctionReference<
        "mutation",
        "internal",
        { lease: string; runId: string },
        null | {
          belongsTo: Array<Record<string, string>>;
          candidates: Array<string>;
          kind: "user" | "organization" | "membership";
          last: boolean;
        },
        Name
      >;
      start: FunctionReference<
        "mutation",
        "internal",
        {
          kinds?: Array<"user" | "organization" | "membership">;
          lease: string;
          staleAfterMs: number;
        },
        {
          acquired: boolean;
          cursor: {
            boundary?: { createdAt: number; ids: Array<string> };
            offset: number;
          };
          status: {
            created: number;
            finishedAt?: number;
            heartbeatAt: number;
            invalidUserIds: Array<string>;
            invalidUsers: number;
            kind: "user" | "organization" | "membership";
            kinds: Array<"user" | "organization" | "membership">;
            lastError?: {
              at: number;
              code:
                | "MISSING_SECRET_KEY"
                | "UNAUTHORIZED"
                | "RATE_LIMITED"
                | "CLERK_UNAVAILABLE"
                | "CLERK_REQUEST_REJECTED"
                | "BAD_RESPONSE"
                | "TOO_MANY_REMOVALS"
                | "SYNC_FAILED";
              message: string;
            };
            memberships?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            organizations?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            pagesDone: number;
            phase: "listing" | "reconciling";
            removed: number;
            requests: number;
            runId: string;
            startedAt: number;
            state: "running" | "completed" | "failed";
            steps: number;
            tombstoned: number;
            unchanged: number;
            updated: number;
            usersSeen: number;
          };
          windowLeft: boolean;
        },
        Name
      >;
      status: FunctionReference<
        "query",
        "internal",
        {},
        {
          created: number;
          finishedAt?: number;
          heartbeatAt: number;
          invalidUserIds: Array<string>;
          invalidUsers: number;
          kind: "user" | "organization" | "membership";
          kinds: Array<"user" | "organization" | "membership">;
          lastError?: {
            at: number;
            code:
              | "MISSING_SECRET_KEY"
              | "UNAUTHORIZED"
              | "RATE_LIMITED"
              | "CLERK_UNAVAILABLE"
              | "CLERK_REQUEST_REJECTED"
              | "BAD_RESPONSE"
              | "TOO_MANY_REMOVALS"
              | "SYNC_FAILED";
            message: string;
          };
          memberships?: {
            created: number;
            invalid: number;
            invalidIds: Array<string>;
            removed: number;
            seen: number;
            tombstoned: number;
            unchanged: number;
            updated: number;
          };
          organizations?: {
            created: number;
            invalid: number;
            invalidIds: Array<string>;
            removed: number;
            seen: number;
            tombstoned: number;
            unchanged: number;
            updated: number;
          };
          pagesDone: number;
          phase: "listing" | "reconciling";
          removed: number;
          requests: number;
          runId: string;
          startedAt: number;
          state: "running" | "completed" | "failed";
          steps: number;
          tombstoned: number;
          unchanged: number;
          updated: number;
          usersSeen: number;
        } | null,
        Name
      >;
      takeOver: FunctionReference<
        "mutation",
        "internal",
        { lease: string; runId: string; staleAfterMs: number },
        {
          cursor: {
            boundary?: { createdAt: number; ids: Array<string> };
            offset: number;
          };
          status: {
            created: number;
            finishedAt?: number;
            heartbeatAt: number;
            invalidUserIds: Array<string>;
            invalidUsers: number;
            kind: "user" | "organization" | "membership";
            kinds: Array<"user" | "organization" | "membership">;
            lastError?: {
              at: number;
              code:
                | "MISSING_SECRET_KEY"
                | "UNAUTHORIZED"
                | "RATE_LIMITED"
                | "CLERK_UNAVAILABLE"
                | "CLERK_REQUEST_REJECTED"
                | "BAD_RESPONSE"
                | "TOO_MANY_REMOVALS"
                | "SYNC_FAILED";
              message: string;
            };
            memberships?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            organizations?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            pagesDone: number;
            phase: "listing" | "reconciling";
            removed: number;
            requests: number;
            runId: string;
            startedAt: number;
            state: "running" | "completed" | "failed";
            steps: number;
            tombstoned: number;
            unchanged: number;
            updated: number;
            usersSeen: number;
          };
          windowLeft: boolean;
        } | null,
        Name
      >;
    };
    health: {
      lastRejectionAt: FunctionReference<
        "query",
        "internal",
        {},
        number | null,
        Name
      >;
      recordRejection: FunctionReference<
        "mutation",
        "internal",
        {
          reason:
            | "noSecret"
            | "invalidSecret"
            | "missingHeaders"
            | "tooLarge"
            | "notUtf8"
            | "badSignature"
            | "badTimestamp";
          status: number;
          svixId?: string;
        },
        boolean,
        Name
      >;
      recordVerified: FunctionReference<
        "mutation",
        "internal",
        {
          outcome:
            | { kind: "ignored" }
            | {
                kind: "failed";
                reason: "badPayload" | "applyFailed";
                status: number;
              };
          svixId: string;
          tombstoneRetentionMs?: number;
        },
        null,
        Name
      >;
      status: FunctionReference<
        "query",
        "internal",
        {},
        {
          advice: string;
          at: number;
          last24Hours: {
            applied: number;
            duplicate: number;
            failed: number;
            ignored: number;
            rejected: Record<string, number>;
            stale: number;
          };
          lastAppliedAt: number | null;
          lastDeliveryAt: number | null;
          lastFailure: {
            at: number;
            reason:
              | "noSecret"
              | "invalidSecret"
              | "missingHeaders"
              | "tooLarge"
              | "notUtf8"
              | "badSignature"
              | "badTimestamp"
              | "badPayload"
              | "applyFailed";
            status: number;
            svixId?: string;
          } | null;
          lastHour: {
            applied: number;
            duplicate: number;
            failed: number;
            ignored: number;
            rejected: Record<string, number>;
            stale: number;
          };
          lastRejection: {
            at: number;
            reason:
              | "noSecret"
              | "invalidSecret"
              | "missingHeaders"
              | "tooLarge"
              | "notUtf8"
              | "badSignature"
              | "badTimestamp"
              | "badPayload"
              | "applyFailed";
            status: number;
            svixId?: string;
          } | null;
          lastResync: {
            finishedAt?: number;
            lastError?: { at: number; code: string; message: string };
            phase: "listing" | "reconciling";
            startedAt: number;
            state: "running" | "completed" | "failed";
          } | null;
          lastVerificationRejection: {
            at: number;
            reason:
              | "noSecret"
              | "invalidSecret"
              | "missingHeaders"
              | "tooLarge"
              | "notUtf8"
              | "badSignature"
              | "badTimestamp"
              | "badPayload"
              | "applyFailed";
            status: number;
            svixId?: string;
          } | null;
          openFailures: Array<{
            at: number;
            reason:
              | "noSecret"
              | "invalidSecret"
              | "missingHeaders"
              | "tooLarge"
              | "notUtf8"
              | "badSignature"
              | "badTimestamp"
              | "badPayload"
              | "applyFailed";
            status: number;
            svixId?: string;
          }>;
          usersWaiting: number;
          verdict:
            | "ok"
            | "noDeliveriesYet"
            | "misconfigured"
            | "rejecting"
            | "failing"
            | "silent";
        },
        Name
      >;
    };
    memberships: {
      get: FunctionReference<
        "query",
        "internal",
        { orgId: string; userId: string },
        {
          _creationTime: number;
          _id: string;
          clerkId: string;
          createdAt?: number;
          firstName?: string;
          identifier?: string;
          imageUrl?: string;
          lastName?: string;
          orgId: string;
          permissions: Array<string>;
          publicMetadata?: Record<string, any>;
          role: string;
          updatedAt: number;
          userDataAt?: number;
          userId: string;
        } | null,
        Name
      >;
      listByOrganization: FunctionReference<
        "query",
        "internal",
        {
          orgId: string;
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            _creationTime: number;
            _id: string;
            clerkId: string;
            createdAt?: number;
            firstName?: string;
            identifier?: string;
            imageUrl?: string;
            lastName?: string;
            orgId: string;
            permissions: Array<string>;
            publicMetadata?: Record<string, any>;
            role: string;
            updatedAt: number;
            userDataAt?: number;
            userId: string;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      listByUser: FunctionReference<
        "query",
        "internal",
        {
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
          userId: string;
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            _creationTime: number;
            _id: string;
            clerkId: string;
            createdAt?: number;
            firstName?: string;
            identifier?: string;
            imageUrl?: string;
            lastName?: string;
            orgId: string;
            permissions: Array<string>;
            publicMetadata?: Record<string, any>;
            role: string;
            updatedAt: number;
            userDataAt?: number;
            userId: string;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      organizationsOf: FunctionReference<
        "query",
        "internal",
        { userId: string },
        Array<{
          membership: {
            _creationTime: number;
            _id: string;
            clerkId: string;
            createdAt?: number;
            firstName?: string;
            identifier?: string;
            imageUrl?: string;
            lastName?: string;
            orgId: string;
            permissions: Array<string>;
            publicMetadata?: Record<string, any>;
            role: string;
            updatedAt: number;
            userDataAt?: number;
            userId: string;
          };
          organization: {
            _creationTime: number;
            _id: string;
            adminDeleteEnabled?: boolean;
            clerkId: string;
            createdAt?: number;
            createdBy?: string;
            imageUrl?: string;
            maxAllowedMemberships?: number;
            membersCount?: number;
            name: string;
            publicMetadata?: Record<string, any>;
            slug?: string;
            updatedAt: number;
          };
        }>,
        Name
      >;
    };
    organizations: {
      getByClerkId: FunctionReference<
        "query",
        "internal",
        { clerkId: string },
        {
          _creationTime: number;
          _id: string;
          adminDeleteEnabled?: boolean;
          clerkId: string;
          createdAt?: number;
          createdBy?: string;
          imageUrl?: string;
          maxAllowedMemberships?: number;
          membersCount?: number;
          name: string;
          publicMetadata?: Record<string, any>;
          slug?: string;
          updatedAt: number;
        } | null,
        Name
      >;
      getBySlug: FunctionReference<
        "query",
        "internal",
        { slug: string },
        {
          _creationTime: number;
          _id: string;
          adminDeleteEnabled?: boolean;
          clerkId: string;
          createdAt?: number;
          createdBy?: string;
          imageUrl?: string;
          maxAllowedMemberships?: number;
          membersCount?: number;
          name: string;
          publicMetadata?: Record<string, any>;
          slug?: string;
          updatedAt: number;
        } | null,
        Name
      >;
      list: FunctionReference<
        "query",
        "internal",
        {
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            _creationTime: number;
            _id: string;
            adminDeleteEnabled?: boolean;
            clerkId: string;
            createdAt?: number;
            createdBy?: string;
            imageUrl?: string;
            maxAllowedMemberships?: number;
            membersCount?: number;
            name: string;
            publicMetadata?: Record<string, any>;
            slug?: string;
            updatedAt: number;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
    };
    sync: {
      applyEvent: FunctionReference<
        "mutation",
        "internal",
        {
          changes: Array<
            | {
                kind: "user";
                op: "upsert";
                row: {
                  clerkId: string;
                  createdAt?: number;
                  email?: string;
                  emailVerified?: boolean;
                  externalId?: string;
                  firstName?: string;
                  imageUrl?: string;
                  lastName?: string;
                  lastSignInAt?: number;
                  name?: string;
                  phoneNumber?: string;
                  provisional?: true;
                  publicMetadata?: Record<string, any>;
                  updatedAt: number;
                  username?: string;
                };
              }
            | {
                kind: "organization";
                op: "upsert";
                row: {
                  adminDeleteEnabled?: boolean;
                  clerkId: string;
                  createdAt?: number;
                  createdBy?: string;
                  imageUrl?: string;
                  maxAllowedMemberships?: number;
                  membersCount?: number;
                  name: string;
                  publicMetadata?: Record<string, any>;
                  slug?: string;
                  updatedAt: number;
                };
              }
            | {
                kind: "membership";
                op: "upsert";
                row: {
                  clerkId: string;
                  createdAt?: number;
                  firstName?: string;
                  identifier?: string;
                  imageUrl?: string;
                  lastName?: string;
                  orgId: string;
                  permissions: Array<string>;
                  publicMetadata?: Record<string, any>;
                  role: string;
                  updatedAt: number;
                  userDataAt?: number;
                  userId: string;
                };
              }
            | {
                belongsTo?: Record<string, string>;
                clerkId: string;
                kind: "user" | "organization" | "membership";
                op: "delete";
              }
          >;
          hooks?: string;
          svixId?: string;
          tombstoneRetentionMs?: number;
        },
        | "created"
        | "updated"
        | "deleted"
        | "duplicate"
        | "stale"
        | "tombstoned",
        Name
      >;
      ensureUser: FunctionReference<
        "mutation",
        "internal",
        {
          user: {
            clerkId: string;
            createdAt?: number;
            email?: string;
            emailVerified?: boolean;
            externalId?: string;
            firstName?: string;
            imageUrl?: string;
            lastName?: string;
            lastSignInAt?: number;
            name?: string;
            phoneNumber?: string;
            provisional?: true;
            publicMetadata?: Record<string, any>;
            updatedAt: number;
            username?: string;
          };
        },
        {
          _creationTime: number;
          _id: string;
          clerkId: string;
          createdAt?: number;
          email?: string;
          emailVerified?: boolean;
          externalId?: string;
          firstName?: string;
          imageUrl?: string;
          lastName?: string;
          lastSignInAt?: number;
          name?: string;
          phoneNumber?: string;
          provisional?: true;
          publicMetadata?: Record<string, any>;
          updatedAt: number;
          username?: string;
        } | null,
        Name
      >;
    };
    users: {
      getByClerkId: FunctionReference<
        "query",
        "internal",
        { clerkId: string },
        {
          _creationTime: number;
          _id: string;
          clerkId: string;
          createdAt?: number;
          email?: string;
          emailVerified?: boolean;
          externalId?: string;
          firstName?: string;
          imageUrl?: string;
          lastName?: string;
          lastSignInAt?: number;
          name?: string;
          phoneNumber?: string;
          provisional?: true;
          publicMetadata?: Record<string, any>;
          updatedAt: number;
          username?: string;
        } | null,
        Name
      >;
      getByEmail: FunctionReference<
        "query",
        "internal",
        { email: string },
        {
          _creationTime: number;
          _id: string;
          clerkId: string;
          createdAt?: number;
          email?: string;
          emailVerified?: boolean;
          externalId?: string;
          firstName?: string;
          imageUrl?: string;
          lastName?: string;
          lastSignInAt?: number;
          name?: string;
          phoneNumber?: string;
          provisional?: true;
          publicMetadata?: Record<string, any>;
          updatedAt: number;
          username?: string;
        } | null,
        Name
      >;
      list: FunctionReference<
        "query",
        "internal",
        {
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            _creationTime: number;
            _id: string;
            clerkId: string;
            createdAt?: number;
            email?: string;
            emailVerified?: boolean;
            externalId?: string;
            firstName?: string;
            imageUrl?: string;
            lastName?: string;
            lastSignInAt?: number;
            name?: string;
            phoneNumber?: string;
            provisional?: true;
            publicMetadata?: Record<string, any>;
            updatedAt: number;
            username?: string;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
    };
  };
