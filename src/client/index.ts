export { registerRoutes, DEFAULT_WEBHOOK_PATH, type RegisterRoutesOptions } from "./webhook.js";
export type { UserHooks } from "./hooks.js";
export { vUser, type User } from "../shared/validators.js";
export { isClerkUsersError, type ClerkUsersErrorCode, type ClerkUsersErrorData } from "../shared/errors.js";
export type { ComponentApi } from "../component/_generated/component.js";
