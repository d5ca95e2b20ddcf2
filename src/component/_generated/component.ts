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
    billing: {
      getByPayer: FunctionReference<
        "query",
        "internal",
        { orgId?: string; userId?: string },
        {
          cancelsAtPeriodEnd: boolean;
          current: Array<{
            _creationTime: number;
            _id: string;
            clerkId: string;
            createdAt?: number;
            interval?: string;
            isFreeTrial: boolean;
            orgId?: string;
            payerId?: string;
            periodEnd?: number;
            periodStart?: number;
            planId?: string;
            planName?: string;
            planSlug?: string;
            seats?: number;
            status: string;
            subscriptionId?: string;
            updatedAt: number;
            userId?: string;
          }>;
          features: Array<string>;
          pastDue: boolean;
          payer:
            { type: "user"; userId: string } | { orgId: string; type: "org" };
          periodEnd: number | null;
          plans: Array<string>;
          plansSynced: boolean;
          seats: number | null;
          trialEndsAt: number | null;
          upcoming: Array<{
            _creationTime: number;
            _id: string;
            clerkId: string;
            createdAt?: number;
            interval?: string;
            isFreeTrial: boolean;
            orgId?: string;
            payerId?: string;
            periodEnd?: number;
            periodStart?: number;
            planId?: string;
            planName?: string;
            planSlug?: string;
            seats?: number;
            status: string;
            subscriptionId?: string;
            updatedAt: number;
            userId?: string;
          }>;
        } | null,
        Name
      >;
      listItems: FunctionReference<
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
          planSlug?: string;
          status?: string;
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            _creationTime: number;
            _id: string;
            clerkId: string;
            createdAt?: number;
            interval?: string;
            isFreeTrial: boolean;
            orgId?: string;
            payerId?: string;
            periodEnd?: number;
            periodStart?: number;
            planId?: string;
            planName?: string;
            planSlug?: string;
            seats?: number;
            status: string;
            subscriptionId?: string;
            updatedAt: number;
            userId?: string;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      payments: FunctionReference<
        "query",
        "internal",
        {
          orgId?: string;
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
          userId?: string;
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            _creationTime: number;
            _id: string;
            amount?: number;
            billingDate?: number;
            chargeType?: string;
            clerkId: string;
            createdAt?: number;
            currency?: string;
            failedAt?: number;
            failedReason?: string;
            itemIds: Array<string>;
            orgId?: string;
            paidAt?: number;
            payerId?: string;
            paymentId?: string;
            statementId?: string;
            status: string;
            updatedAt: number;
            userId?: string;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      plans: FunctionReference<
        "query",
        "internal",
        {},
        Array<{
          _creationTime: number;
          _id: string;
          clerkId: string;
          currency?: string;
          features: Array<string>;
          fee?: number;
          isDefault: boolean;
          isRecurring: boolean;
          name: string;
          payerType?: string;
          slug: string;
        }>,
        Name
      >;
    };
    events: {
      handOver: FunctionReference<
        "mutation",
        "internal",
        {
          event: { body: string; svixId: string };
          hooks: string;
          tombstoneRetentionMs?: number;
          wakePruning?: boolean;
        },
        "handled" | "duplicate" | "ignored",
        Name
      >;
    };
    health: {
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
                eventType?: string;
                kind: "failed";
                reason: "badPayload" | "applyFailed" | "onEventFailed";
                status: number;
              };
          svixId: string;
          tombstoneRetentionMs?: number;
          wakePruning?: boolean;
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
          billingOverdue: number;
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
            eventType?: string;
            reason:
              | "noSecret"
              | "invalidSecret"
              | "missingHeaders"
              | "tooLarge"
              | "notUtf8"
              | "badSignature"
              | "badTimestamp"
              | "badPayload"
              | "applyFailed"
              | "onEventFailed";
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
            eventType?: string;
            reason:
              | "noSecret"
              | "invalidSecret"
              | "missingHeaders"
              | "tooLarge"
              | "notUtf8"
              | "badSignature"
              | "badTimestamp"
              | "badPayload"
              | "applyFailed"
              | "onEventFailed";
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
            eventType?: string;
            reason:
              | "noSecret"
              | "invalidSecret"
              | "missingHeaders"
              | "tooLarge"
              | "notUtf8"
              | "badSignature"
              | "badTimestamp"
              | "badPayload"
              | "applyFailed"
              | "onEventFailed";
            status: number;
            svixId?: string;
          } | null;
          openFailures: Array<{
            at: number;
            eventType?: string;
            reason:
              | "noSecret"
              | "invalidSecret"
              | "missingHeaders"
              | "tooLarge"
              | "notUtf8"
              | "badSignature"
              | "badTimestamp"
              | "badPayload"
              | "applyFailed"
              | "onEventFailed";
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
    invitations: {
      byEmail: FunctionReference<
        "query",
        "internal",
        { email: string },
        Array<{
          _creationTime: number;
          _id: string;
          clerkId: string;
          createdAt?: number;
          emailAddress: string;
          expiresAt?: number;
          inviterId?: string;
          orgId: string;
          publicMetadata?: Record<string, any>;
          role: string;
          roleName?: string;
          status: string;
          updatedAt: number;
          userId?: string;
        }>,
        Name
      >;
      listPending: FunctionReference<
        "query",
        "internal",
        {
          organizationId: string;
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
            emailAddress: string;
            expiresAt?: number;
            inviterId?: string;
            orgId: string;
            publicMetadata?: Record<string, any>;
            role: string;
            roleName?: string;
            status: string;
            updatedAt: number;
            userId?: string;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
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
    privacy: {
      exportUser: FunctionReference<
        "query",
        "internal",
        { clerkId: string },
        {
          clerkId: string;
          deleted: boolean;
          rows: {
            invitation: Array<{
              _creationTime: number;
              _id: string;
              clerkId: string;
              createdAt?: number;
              emailAddress: string;
              expiresAt?: number;
              inviterId?: string;
              orgId: string;
              publicMetadata?: Record<string, any>;
              role: string;
              roleName?: string;
              status: string;
              updatedAt: number;
              userId?: string;
            }>;
            membership: Array<{
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
            paymentAttempt: Array<{
              _creationTime: number;
              _id: string;
              amount?: number;
              billingDate?: number;
              chargeType?: string;
              clerkId: string;
              createdAt?: number;
              currency?: string;
              failedAt?: number;
              failedReason?: string;
              itemIds: Array<string>;
              orgId?: string;
              paidAt?: number;
              payerId?: string;
              paymentId?: string;
              statementId?: string;
              status: string;
              updatedAt: number;
              userId?: string;
            }>;
            subscriptionItem: Array<{
              _creationTime: number;
              _id: string;
              clerkId: string;
              createdAt?: number;
              interval?: string;
              isFreeTrial: boolean;
              orgId?: string;
              payerId?: string;
              periodEnd?: number;
              periodStart?: number;
              planId?: string;
              planName?: string;
              planSlug?: string;
              seats?: number;
              status: string;
              subscriptionId?: string;
              updatedAt: number;
              userId?: string;
            }>;
          };
          truncated: Array<
            | "user"
            | "organization"
            | "membership"
            | "subscriptionItem"
            | "paymentAttempt"
            | "invitation"
          >;
          user: {
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
          } | null;
        },
        Name
      >;
    };
    resync: {
      advance: FunctionReference<
        "mutation",
        "internal",
        {
          allowMassRemoval?: boolean;
          handback:
            | {
                embedded?: Array<
                  | {
                      kind: "user";
                      notice?: string;
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
                      notice?: string;
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
                      notice?: string;
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
                      kind: "subscriptionItem";
                      notice?: string;
                      op: "upsert";
                      row: {
                        clerkId: string;
                        createdAt?: number;
                        interval?: string;
                        isFreeTrial: boolean;
                        orgId?: string;
                        payerId?: string;
                        periodEnd?: number;
                        periodStart?: number;
                        planId?: string;
                        planName?: string;
                        planSlug?: string;
                        seats?: number;
                        status: string;
                        subscriptionId?: string;
                        updatedAt: number;
                        userId?: string;
                      };
                    }
                  | {
                      kind: "paymentAttempt";
                      notice?: string;
                      op: "upsert";
                      row: {
                        amount?: number;
                        billingDate?: number;
                        chargeType?: string;
                        clerkId: string;
                        createdAt?: number;
                        currency?: string;
                        failedAt?: number;
                        failedReason?: string;
                        itemIds: Array<string>;
                        orgId?: string;
                        paidAt?: number;
                        payerId?: string;
                        paymentId?: string;
                        statementId?: string;
                        status: string;
                        updatedAt: number;
                        userId?: string;
                      };
                    }
                  | {
                      kind: "invitation";
                      notice?: string;
                      op: "upsert";
                      row: {
                        clerkId: string;
                        createdAt?: number;
                        emailAddress: string;
                        expiresAt?: number;
                        inviterId?: string;
                        orgId: string;
                        publicMetadata?: Record<string, any>;
                        role: string;
                        roleName?: string;
                        status: string;
                        updatedAt: number;
                        userId?: string;
                      };
                    }
                  | {
                      belongsTo?: Record<string, string>;
                      clerkId: string;
                      kind:
                        | "user"
                        | "organization"
                        | "membership"
                        | "subscriptionItem"
                        | "paymentAttempt"
                        | "invitation";
                      op: "delete";
                    }
                >;
                invalid: Array<string>;
                limit: number;
                listed: Array<{ created_at?: number; id?: string }>;
                offset: number;
                op: "list";
                parent?: string;
                rows:
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
                    }
                  | {
                      kind: "subscriptionItem";
                      rows: Array<{
                        clerkId: string;
                        createdAt?: number;
                        interval?: string;
                        isFreeTrial: boolean;
                        orgId?: string;
                        payerId?: string;
                        periodEnd?: number;
                        periodStart?: number;
                        planId?: string;
                        planName?: string;
                        planSlug?: string;
                        seats?: number;
                        status: string;
                        subscriptionId?: string;
                        updatedAt: number;
                        userId?: string;
                      }>;
                    }
                  | {
                      kind: "paymentAttempt";
                      rows: Array<{
                        amount?: number;
                        billingDate?: number;
                        chargeType?: string;
                        clerkId: string;
                        createdAt?: number;
                        currency?: string;
                        failedAt?: number;
                        failedReason?: string;
                        itemIds: Array<string>;
                        orgId?: string;
                        paidAt?: number;
                        payerId?: string;
                        paymentId?: string;
                        statementId?: string;
                        status: string;
                        updatedAt: number;
                        userId?: string;
                      }>;
                    }
                  | {
                      kind: "invitation";
                      rows: Array<{
                        clerkId: string;
                        createdAt?: number;
                        emailAddress: string;
                        expiresAt?: number;
                        inviterId?: string;
                        orgId: string;
                        publicMetadata?: Record<string, any>;
                        role: string;
                        roleName?: string;
                        status: string;
                        updatedAt: number;
                        userId?: string;
                      }>;
                    };
              }
            | {
                answered: Array<string>;
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
                    }
                  | {
                      kind: "subscriptionItem";
                      rows: Array<{
                        clerkId: string;
                        createdAt?: number;
                        interval?: string;
                        isFreeTrial: boolean;
                        orgId?: string;
                        payerId?: string;
                        periodEnd?: number;
                        periodStart?: number;
                        planId?: string;
                        planName?: string;
                        planSlug?: string;
                        seats?: number;
                        status: string;
                        subscriptionId?: string;
                        updatedAt: number;
                        userId?: string;
                      }>;
                    }
                  | {
                      kind: "paymentAttempt";
                      rows: Array<{
                        amount?: number;
                        billingDate?: number;
                        chargeType?: string;
                        clerkId: string;
                        createdAt?: number;
                        currency?: string;
                        failedAt?: number;
                        failedReason?: string;
                        itemIds: Array<string>;
                        orgId?: string;
                        paidAt?: number;
                        payerId?: string;
                        paymentId?: string;
                        statementId?: string;
                        status: string;
                        updatedAt: number;
                        userId?: string;
                      }>;
                    }
                  | {
                      kind: "invitation";
                      rows: Array<{
                        clerkId: string;
                        createdAt?: number;
                        emailAddress: string;
                        expiresAt?: number;
                        inviterId?: string;
                        orgId: string;
                        publicMetadata?: Record<string, any>;
                        role: string;
                        roleName?: string;
                        status: string;
                        updatedAt: number;
                        userId?: string;
                      }>;
                    };
                foundIds: Array<string>;
                missing: Array<string>;
                op: "recheck";
              }
            | { op: "judge" }
            | {
                invalid: Array<string>;
                listed: Array<string>;
                op: "plans";
                plans: Array<{
                  clerkId: string;
                  currency?: string;
                  features: Array<string>;
                  fee?: number;
                  isDefault: boolean;
                  isRecurring: boolean;
                  name: string;
                  payerType?: string;
                  slug: string;
                }>;
              };
          hooks?: string;
          lease: string;
          pageSize?: number;
          requests: number;
          runId: string;
        },
        {
          next:
            | {
                ahead?: number;
                kind:
                  | "user"
                  | "organization"
                  | "membership"
                  | "subscriptionItem"
                  | "paymentAttempt"
                  | "invitation";
                limit: number;
                offset: number;
                op: "list";
                parent?: string;
              }
            | {
                candidates: Array<{
                  belongsTo?: Record<string, string>;
                  clerkId: string;
                }>;
                kind:
                  | "user"
                  | "organization"
                  | "membership"
                  | "subscriptionItem"
                  | "paymentAttempt"
                  | "invitation";
                op: "recheck";
                refs: Array<string>;
              }
            | { op: "judge" }
            | { limit: number; op: "plans" }
            | { op: "done" };
          status: {
            counts: {
              invitation?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              membership?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              organization?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              paymentAttempt?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              plan?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              subscriptionItem?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              user?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
            };
            finishedAt?: number;
            heartbeatAt: number;
            kind:
              | "user"
              | "organization"
              | "membership"
              | "subscriptionItem"
              | "paymentAttempt"
              | "invitation";
            kinds: Array<
              | "user"
              | "organization"
              | "membership"
              | "subscriptionItem"
              | "paymentAttempt"
              | "invitation"
            >;
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
                | "RESYNC_FAILED";
              message: string;
            };
            pagesDone: number;
            phase: "listing" | "reconciling";
            requests: number;
            runId: string;
            startedAt: number;
            state: "running" | "completed" | "failed";
            steps: number;
          };
        } | null,
        Name
      >;
      applyPayer: FunctionReference<
        "mutation",
        "internal",
        {
          hooks?: string;
          invalid: Array<string>;
          listed: Array<string>;
          payer: { userId: string } | { orgId: string };
          rows: Array<{
            clerkId: string;
            createdAt?: number;
            interval?: string;
            isFreeTrial: boolean;
            orgId?: string;
            payerId?: string;
            periodEnd?: number;
            periodStart?: number;
            planId?: string;
            planName?: string;
            planSlug?: string;
            seats?: number;
            status: string;
            subscriptionId?: string;
            updatedAt: number;
            userId?: string;
          }>;
        },
        {
          created: number;
          found: boolean;
          invalid: number;
          invalidIds: Array<string>;
          seen: number;
          tombstoned: number;
          unchanged: number;
          updated: number;
        },
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
            | "RESYNC_FAILED";
          lease: string;
          message: string;
          requests: number;
          runId: string;
        },
        {
          counts: {
            invitation?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            membership?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            organization?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            paymentAttempt?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            plan?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            subscriptionItem?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            user?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
          };
          finishedAt?: number;
          heartbeatAt: number;
          kind:
            | "user"
            | "organization"
            | "membership"
            | "subscriptionItem"
            | "paymentAttempt"
            | "invitation";
          kinds: Array<
            | "user"
            | "organization"
            | "membership"
            | "subscriptionItem"
            | "paymentAttempt"
            | "invitation"
          >;
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
              | "RESYNC_FAILED";
            message: string;
          };
          pagesDone: number;
          phase: "listing" | "reconciling";
          requests: number;
          runId: string;
          startedAt: number;
          state: "running" | "completed" | "failed";
          steps: number;
        } | null,
        Name
      >;
      handOver: FunctionReference<
        "mutation",
        "internal",
        { lease: string; requests: number; runId: string },
        {
          counts: {
            invitation?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            membership?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            organization?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            paymentAttempt?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            plan?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            subscriptionItem?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            user?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
          };
          finishedAt?: number;
          heartbeatAt: number;
          kind:
            | "user"
            | "organization"
            | "membership"
            | "subscriptionItem"
            | "paymentAttempt"
            | "invitation";
          kinds: Array<
            | "user"
            | "organization"
            | "membership"
            | "subscriptionItem"
            | "paymentAttempt"
            | "invitation"
          >;
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
              | "RESYNC_FAILED";
            message: string;
          };
          pagesDone: number;
          phase: "listing" | "reconciling";
          requests: number;
          runId: string;
          startedAt: number;
          state: "running" | "completed" | "failed";
          steps: number;
        } | null,
        Name
      >;
      resume: FunctionReference<
        "mutation",
        "internal",
        { lease: string; pageSize?: number; runId: string },
        {
          next:
            | {
                ahead?: number;
                kind:
                  | "user"
                  | "organization"
                  | "membership"
                  | "subscriptionItem"
                  | "paymentAttempt"
                  | "invitation";
                limit: number;
                offset: number;
                op: "list";
                parent?: string;
              }
            | {
                candidates: Array<{
                  belongsTo?: Record<string, string>;
                  clerkId: string;
                }>;
                kind:
                  | "user"
                  | "organization"
                  | "membership"
                  | "subscriptionItem"
                  | "paymentAttempt"
                  | "invitation";
                op: "recheck";
                refs: Array<string>;
              }
            | { op: "judge" }
            | { limit: number; op: "plans" }
            | { op: "done" };
          status: {
            counts: {
              invitation?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              membership?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              organization?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              paymentAttempt?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              plan?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              subscriptionItem?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              user?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
            };
            finishedAt?: number;
            heartbeatAt: number;
            kind:
              | "user"
              | "organization"
              | "membership"
              | "subscriptionItem"
              | "paymentAttempt"
              | "invitation";
            kinds: Array<
              | "user"
              | "organization"
              | "membership"
              | "subscriptionItem"
              | "paymentAttempt"
              | "invitation"
            >;
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
                | "RESYNC_FAILED";
              message: string;
            };
            pagesDone: number;
            phase: "listing" | "reconciling";
            requests: number;
            runId: string;
            startedAt: number;
            state: "running" | "completed" | "failed";
            steps: number;
          };
        } | null,
        Name
      >;
      start: FunctionReference<
        "mutation",
        "internal",
        {
          kinds?: Array<
            | "user"
            | "organization"
            | "membership"
            | "subscriptionItem"
            | "paymentAttempt"
            | "invitation"
          >;
          lease: string;
          pageSize?: number;
          staleAfterMs: number;
        },
        | {
            acquired: true;
            step: {
              next:
                | {
                    ahead?: number;
                    kind:
                      | "user"
                      | "organization"
                      | "membership"
                      | "subscriptionItem"
                      | "paymentAttempt"
                      | "invitation";
                    limit: number;
                    offset: number;
                    op: "list";
                    parent?: string;
                  }
                | {
                    candidates: Array<{
                      belongsTo?: Record<string, string>;
                      clerkId: string;
                    }>;
                    kind:
                      | "user"
                      | "organization"
                      | "membership"
                      | "subscriptionItem"
                      | "paymentAttempt"
                      | "invitation";
                    op: "recheck";
                    refs: Array<string>;
                  }
                | { op: "judge" }
                | { limit: number; op: "plans" }
                | { op: "done" };
              status: {
                counts: {
                  invitation?: {
                    created: number;
                    invalid: number;
                    invalidIds: Array<string>;
                    removed: number;
                    seen: number;
                    tombstoned: number;
                    unchanged: number;
                    updated: number;
                  };
                  membership?: {
                    created: number;
                    invalid: number;
                    invalidIds: Array<string>;
                    removed: number;
                    seen: number;
                    tombstoned: number;
                    unchanged: number;
                    updated: number;
                  };
                  organization?: {
                    created: number;
                    invalid: number;
                    invalidIds: Array<string>;
                    removed: number;
                    seen: number;
                    tombstoned: number;
                    unchanged: number;
                    updated: number;
                  };
                  paymentAttempt?: {
                    created: number;
                    invalid: number;
                    invalidIds: Array<string>;
                    removed: number;
                    seen: number;
                    tombstoned: number;
                    unchanged: number;
                    updated: number;
                  };
                  plan?: {
                    created: number;
                    invalid: number;
                    invalidIds: Array<string>;
                    removed: number;
                    seen: number;
                    tombstoned: number;
                    unchanged: number;
                    updated: number;
                  };
                  subscriptionItem?: {
                    created: number;
                    invalid: number;
                    invalidIds: Array<string>;
                    removed: number;
                    seen: number;
                    tombstoned: number;
                    unchanged: number;
                    updated: number;
                  };
                  user?: {
                    created: number;
                    invalid: number;
                    invalidIds: Array<string>;
                    removed: number;
                    seen: number;
                    tombstoned: number;
                    unchanged: number;
                    updated: number;
                  };
                };
                finishedAt?: number;
                heartbeatAt: number;
                kind:
                  | "user"
                  | "organization"
                  | "membership"
                  | "subscriptionItem"
                  | "paymentAttempt"
                  | "invitation";
                kinds: Array<
                  | "user"
                  | "organization"
                  | "membership"
                  | "subscriptionItem"
                  | "paymentAttempt"
                  | "invitation"
                >;
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
                    | "RESYNC_FAILED";
                  message: string;
                };
                pagesDone: number;
                phase: "listing" | "reconciling";
                requests: number;
                runId: string;
                startedAt: number;
                state: "running" | "completed" | "failed";
                steps: number;
              };
            };
          }
        | {
            acquired: false;
            status: {
              counts: {
                invitation?: {
                  created: number;
                  invalid: number;
                  invalidIds: Array<string>;
                  removed: number;
                  seen: number;
                  tombstoned: number;
                  unchanged: number;
                  updated: number;
                };
                membership?: {
                  created: number;
                  invalid: number;
                  invalidIds: Array<string>;
                  removed: number;
                  seen: number;
                  tombstoned: number;
                  unchanged: number;
                  updated: number;
                };
                organization?: {
                  created: number;
                  invalid: number;
                  invalidIds: Array<string>;
                  removed: number;
                  seen: number;
                  tombstoned: number;
                  unchanged: number;
                  updated: number;
                };
                paymentAttempt?: {
                  created: number;
                  invalid: number;
                  invalidIds: Array<string>;
                  removed: number;
                  seen: number;
                  tombstoned: number;
                  unchanged: number;
                  updated: number;
                };
                plan?: {
                  created: number;
                  invalid: number;
                  invalidIds: Array<string>;
                  removed: number;
                  seen: number;
                  tombstoned: number;
                  unchanged: number;
                  updated: number;
                };
                subscriptionItem?: {
                  created: number;
                  invalid: number;
                  invalidIds: Array<string>;
                  removed: number;
                  seen: number;
                  tombstoned: number;
                  unchanged: number;
                  updated: number;
                };
                user?: {
                  created: number;
                  invalid: number;
                  invalidIds: Array<string>;
                  removed: number;
                  seen: number;
                  tombstoned: number;
                  unchanged: number;
                  updated: number;
                };
              };
              finishedAt?: number;
              heartbeatAt: number;
              kind:
                | "user"
                | "organization"
                | "membership"
                | "subscriptionItem"
                | "paymentAttempt"
                | "invitation";
              kinds: Array<
                | "user"
                | "organization"
                | "membership"
                | "subscriptionItem"
                | "paymentAttempt"
                | "invitation"
              >;
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
                  | "RESYNC_FAILED";
                message: string;
              };
              pagesDone: number;
              phase: "listing" | "reconciling";
              requests: number;
              runId: string;
              startedAt: number;
              state: "running" | "completed" | "failed";
              steps: number;
            };
          },
        Name
      >;
      status: FunctionReference<
        "query",
        "internal",
        {},
        {
          counts: {
            invitation?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            membership?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            organization?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            paymentAttempt?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            plan?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            subscriptionItem?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
            user?: {
              created: number;
              invalid: number;
              invalidIds: Array<string>;
              removed: number;
              seen: number;
              tombstoned: number;
              unchanged: number;
              updated: number;
            };
          };
          finishedAt?: number;
          heartbeatAt: number;
          kind:
            | "user"
            | "organization"
            | "membership"
            | "subscriptionItem"
            | "paymentAttempt"
            | "invitation";
          kinds: Array<
            | "user"
            | "organization"
            | "membership"
            | "subscriptionItem"
            | "paymentAttempt"
            | "invitation"
          >;
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
              | "RESYNC_FAILED";
            message: string;
          };
          pagesDone: number;
          phase: "listing" | "reconciling";
          requests: number;
          runId: string;
          startedAt: number;
          state: "running" | "completed" | "failed";
          steps: number;
        } | null,
        Name
      >;
      takeOver: FunctionReference<
        "mutation",
        "internal",
        {
          lease: string;
          pageSize?: number;
          runId: string;
          staleAfterMs: number;
        },
        {
          next:
            | {
                ahead?: number;
                kind:
                  | "user"
                  | "organization"
                  | "membership"
                  | "subscriptionItem"
                  | "paymentAttempt"
                  | "invitation";
                limit: number;
                offset: number;
                op: "list";
                parent?: string;
              }
            | {
                candidates: Array<{
                  belongsTo?: Record<string, string>;
                  clerkId: string;
                }>;
                kind:
                  | "user"
                  | "organization"
                  | "membership"
                  | "subscriptionItem"
                  | "paymentAttempt"
                  | "invitation";
                op: "recheck";
                refs: Array<string>;
              }
            | { op: "judge" }
            | { limit: number; op: "plans" }
            | { op: "done" };
          status: {
            counts: {
              invitation?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              membership?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              organization?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              paymentAttempt?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              plan?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              subscriptionItem?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
              user?: {
                created: number;
                invalid: number;
                invalidIds: Array<string>;
                removed: number;
                seen: number;
                tombstoned: number;
                unchanged: number;
                updated: number;
              };
            };
            finishedAt?: number;
            heartbeatAt: number;
            kind:
              | "user"
              | "organization"
              | "membership"
              | "subscriptionItem"
              | "paymentAttempt"
              | "invitation";
            kinds: Array<
              | "user"
              | "organization"
              | "membership"
              | "subscriptionItem"
              | "paymentAttempt"
              | "invitation"
            >;
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
                | "RESYNC_FAILED";
              message: string;
            };
            pagesDone: number;
            phase: "listing" | "reconciling";
            requests: number;
            runId: string;
            startedAt: number;
            state: "running" | "completed" | "failed";
            steps: number;
          };
        } | null,
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
                notice?: string;
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
                notice?: string;
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
                notice?: string;
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
                kind: "subscriptionItem";
                notice?: string;
                op: "upsert";
                row: {
                  clerkId: string;
                  createdAt?: number;
                  interval?: string;
                  isFreeTrial: boolean;
                  orgId?: string;
                  payerId?: string;
                  periodEnd?: number;
                  periodStart?: number;
                  planId?: string;
                  planName?: string;
                  planSlug?: string;
                  seats?: number;
                  status: string;
                  subscriptionId?: string;
                  updatedAt: number;
                  userId?: string;
                };
              }
            | {
                kind: "paymentAttempt";
                notice?: string;
                op: "upsert";
                row: {
                  amount?: number;
                  billingDate?: number;
                  chargeType?: string;
                  clerkId: string;
                  createdAt?: number;
                  currency?: string;
                  failedAt?: number;
                  failedReason?: string;
                  itemIds: Array<string>;
                  orgId?: string;
                  paidAt?: number;
                  payerId?: string;
                  paymentId?: string;
                  statementId?: string;
                  status: string;
                  updatedAt: number;
                  userId?: string;
                };
              }
            | {
                kind: "invitation";
                notice?: string;
                op: "upsert";
                row: {
                  clerkId: string;
                  createdAt?: number;
                  emailAddress: string;
                  expiresAt?: number;
                  inviterId?: string;
                  orgId: string;
                  publicMetadata?: Record<string, any>;
                  role: string;
                  roleName?: string;
                  status: string;
                  updatedAt: number;
                  userId?: string;
                };
              }
            | {
                belongsTo?: Record<string, string>;
                clerkId: string;
                kind:
                  | "user"
                  | "organization"
                  | "membership"
                  | "subscriptionItem"
                  | "paymentAttempt"
                  | "invitation";
                op: "delete";
              }
          >;
          hooks?: string;
          svixId?: string;
          tombstoneRetentionMs?: number;
          wakePruning?: boolean;
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
