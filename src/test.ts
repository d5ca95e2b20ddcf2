/**
 * `convex-clerk-users/test`: everything a user's convex-test suite needs to test an app that
 * uses this component. Shipped compiled, so a strict `tsconfig` never checks this package's
 * sources, and with no `import.meta.glob`, so vitest needs no setting for it.
 *
 * ```ts
 * import { convexTest } from "convex-test";
 * import { clerkIdentity, deliver, register, setTestWebhookSecret, signUpThenEdit } from "convex-clerk-users/test";
 *
 * setTestWebhookSecret();
 * const t = convexTest(schema, modules);
 * register(t);
 * await deliver(t, signUpThenEdit(), { shuffle: true, duplicate: true });
 * ```
 */
import type { TestConvex } from "convex-test";
import type { GenericSchema, SchemaDefinition } from "convex/server";
import schema from "./component/schema.js";
import { componentModules as modules } from "./testkit/modules.js";

/**
 * Registers this component with a convex-test instance, under the name your
 * `convex.config.ts` gives it.
 * ```ts
 * const t = convexTest(schema, modules);
 * register(t);
 * ```
 */
export function register(t: TestConvex<SchemaDefinition<GenericSchema, boolean>>, name: string = "clerkUsers") {
  t.registerComponent(name, schema, modules);
}

export * from "./testkit/events/index.js";
export * from "./testkit/scenarios.js";
export { deliver, setTestWebhookSecret, type DeliverOptions, type HttpTestBackend } from "./testkit/deliver.js";
export { planDeliveries, type DeliveryOptions, type PlannedDelivery } from "./testkit/plan.js";
export { signDelivery, TEST_WEBHOOK_SECRET, type SignedDelivery } from "./testkit/sign.js";
export { clerkIdentity, TEST_ISSUER, type ClerkIdentity, type ClerkIdentityOptions } from "./testkit/identity.js";
export { clerkId } from "./testkit/random.js";

export default { register, schema, modules };
