/**
 * Typed builders of the Clerk webhook events this package handles, one module per kind.
 * A new kind (billing) is one more module here and one more line below.
 */
export * from "./envelope.js";
export * from "./users.js";
export * from "./organizations.js";
export * from "./memberships.js";
