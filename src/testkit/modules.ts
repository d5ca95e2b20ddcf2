/**
 * The component's modules, as convex-test loads them: keyed by path, with `_generated/` among
 * them (convex-test finds the modules' root by it). Listed, not globbed, so the compiled kit
 * needs no bundler: a user's vitest loads `dist/component/*.js` as it loads any package file.
 * test/testkit.modules.test.ts fails when a component module is missing here.
 */
export const componentModules: Record<string, () => Promise<unknown>> = {
  "./component/_generated/api.js": () => import("../component/_generated/api.js"),
  "./component/_generated/server.js": () => import("../component/_generated/server.js"),
  "./component/apply.js": () => import("../component/apply.js"),
  "./component/billing.js": () => import("../component/billing.js"),
  "./component/billingHooks.js": () => import("../component/billingHooks.js"),
  "./component/cascades.js": () => import("../component/cascades.js"),
  "./component/convex.config.js": () => import("../component/convex.config.js"),
  "./component/copies.js": () => import("../component/copies.js"),
  "./component/events.js": () => import("../component/events.js"),
  "./component/health.js": () => import("../component/health.js"),
  "./component/hooks.js": () => import("../component/hooks.js"),
  "./component/invitationHooks.js": () => import("../component/invitationHooks.js"),
  "./component/invitations.js": () => import("../component/invitations.js"),
  "./component/kinds.js": () => import("../component/kinds.js"),
  "./component/limits.js": () => import("../component/limits.js"),
  "./component/lists.js": () => import("../component/lists.js"),
  "./component/memberships.js": () => import("../component/memberships.js"),
  "./component/ordering.js": () => import("../component/ordering.js"),
  "./component/organizations.js": () => import("../component/organizations.js"),
  "./component/privacy.js": () => import("../component/privacy.js"),
  "./component/prune.js": () => import("../component/prune.js"),
  "./component/reads.js": () => import("../component/reads.js"),
  "./component/resync.js": () => import("../component/resync.js"),
  "./component/resync/counts.js": () => import("../component/resync/counts.js"),
  "./component/resync/lifecycle.js": () => import("../component/resync/lifecycle.js"),
  "./component/resync/listing.js": () => import("../component/resync/listing.js"),
  "./component/resync/pageLookup.js": () => import("../component/resync/pageLookup.js"),
  "./component/resync/payer.js": () => import("../component/resync/payer.js"),
  "./component/resync/plans.js": () => import("../component/resync/plans.js"),
  "./component/resync/reconcile.js": () => import("../component/resync/reconcile.js"),
  "./component/resync/runs.js": () => import("../component/resync/runs.js"),
  "./component/rows.js": () => import("../component/rows.js"),
  "./component/schema.js": () => import("../component/schema.js"),
  "./component/sync.js": () => import("../component/sync.js"),
  "./component/users.js": () => import("../component/users.js"),
};
