export { registerRoutes, DEFAULT_WEBHOOK_PATH, type RegisterRoutesOptions } from "./webhook.js";
export {
  defineClerkHooks,
  defineUserHooks,
  type ClerkHooks,
  type ClerkHookHandlers,
  type ClerkEventDelivery,
  type ClerkHooksMutation,
  type HookArgs,
  type UserHooks,
  type UserHookHandlers,
  type UserHooksMutation,
} from "./hooks.js";
export { getMembership, requireMembership, listMyOrganizations, membershipHas, type MembershipRequirement } from "./memberships.js";
export { getBilling, requireBilling, type BillingCheck, type PayerSelector } from "./billing.js";
export { billingHas, vBilling, vPlan, type Billing, type BillingRequirement, type Plan } from "../shared/billing.js";
export { vPayer, type Payer } from "../shared/kinds/payer.js";
export { vSubscriptionItem, type SubscriptionItem } from "../shared/kinds/subscriptionItem.js";
export { vPaymentAttempt, type PaymentAttempt } from "../shared/kinds/paymentAttempt.js";
export { vInvitation, type Invitation } from "../shared/kinds/invitation.js";
export { exportUserData } from "./privacy.js";
export { vUserExport, type UserExport, type PersonalRows } from "../shared/privacy.js";
export { HANDLED_EVENTS } from "./events.js";
export { type SessionOptions } from "./session.js";
export { getCurrentUser, requireUser, withUser, type RequireUserOptions, type RunQueryCtx, type RunMutationCtx, type UserCustomization } from "./auth.js";
export { has, hasRole, hasPermission, hasPlan, hasFeature, readClaims, type ClaimsOptions, type HasParams } from "./claims.js";
export { requireAuthorization, requireRole, requirePermission, requirePlan, requireFeature } from "./guards.js";
export {
  vUser,
  type User,
  vOrganization,
  type Organization,
  vMembership,
  type Membership,
  vHookEvent,
  type HookEvent,
  type UserHookEvent,
  vChangeSource,
  type ChangeSource,
  vUserChangeSource,
  type UserChangeSource,
  hookArgs,
  userHookArgs,
  vUnsyncedEvent,
  type UnsyncedEvent,
  vHooksResult,
  type HooksResult,
  PROVISIONAL_UPDATED_AT,
} from "../shared/validators.js";
export { isClerkUsersError, type ClerkUsersErrorCode, type ClerkUsersErrorData } from "../shared/errors.js";
export type { ComponentApi } from "../component/_generated/component.js";
export { makeResyncAction, isResyncError, DEFAULT_CLERK_API_URL, type ResyncOptions, type ResyncArgs, type ResyncErrorData } from "./resync/action.js";
export { resyncPayer, type PayerToResync, type ResyncPayerOptions } from "./resync/payer.js";
export { vResyncStatus, vPayerResyncResult, type ResyncStatus, type ResyncErrorCode, type KindCounts, type PayerResyncResult } from "../shared/resync.js";
export {
  vHealthStatus,
  type HealthStatus,
  type Verdict as HealthVerdict,
  type Counts as HealthCounts,
  type Incident as HealthIncident,
} from "../shared/health.js";
export { CLERK_RATE_LIMITS, type RateLimit } from "./resync/pacer.js";
export type { RetryPolicy } from "../shared/retry.js";
