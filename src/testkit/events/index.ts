/**
 * Typed builders of the Clerk webhook events this package handles, one module per kind.
 * A new kind is one more module here, one more export line and one more member of
 * `ClerkWebhookEvent`.
 */
import type { InvitationEvent } from "./invitations.js";
import type { MembershipEvent } from "./memberships.js";
import type { OrganizationDeletedEvent, OrganizationEvent } from "./organizations.js";
import type { PaymentAttemptEvent } from "./paymentAttempts.js";
import type { SubscriptionEvent, SubscriptionItemEvent } from "./subscriptions.js";
import type { UserDeletedEvent, UserEvent } from "./users.js";

export * from "./envelope.js";
export * from "./users.js";
export * from "./organizations.js";
export * from "./memberships.js";
export * from "./billing.js";
export * from "./subscriptions.js";
export * from "./paymentAttempts.js";
export * from "./invitations.js";

/** Every event the kit builds: the ones this package handles. */
export type ClerkWebhookEvent =
  | UserEvent
  | UserDeletedEvent
  | OrganizationEvent
  | OrganizationDeletedEvent
  | MembershipEvent
  | SubscriptionEvent
  | SubscriptionItemEvent
  | PaymentAttemptEvent
  | InvitationEvent;
