import type { UserIdentity } from "convex/server";
import type { JSONValue } from "convex/values";

/**
 * The claims of a Clerk session token (v2), as `ctx.auth.getUserIdentity()` returns them with
 * Convex's native Clerk integration: `sub` becomes `subject`, `iss` becomes `issuer`, and the
 * other claims are passed through as they are.
 */

/** The issuer of the kit's identities: a development instance's Frontend API URL. */
export const TEST_ISSUER = "https://example-app-42.clerk.accounts.dev";

export type ClerkIdentityOptions = {
  /** Clerk's user id: the token's `sub`. */
  userId: string;
  /** The active organization; the token carries only this one. */
  org?: {
    id: string;
    /** `"admin"` or `"org:admin"`: the token's `o.rol` holds it without the prefix. */
    role: string;
    /** Custom permissions, `"org:<feature>:<permission>"`; Clerk's system permissions (`org:sys_*`) are never in a token. */
    permissions?: readonly string[];
    /** The organization's slug (`o.slg`), when it has one. */
    slug?: string;
  };
  /** Active plans: `"pro"` is scoped `o:` with an active organization and `u:` without; `"u:pro"` / `"o:pro"` as given. */
  plans?: readonly string[];
  /** Enabled features, scoped like plans. The features of `org.permissions` are added as `o:` features. */
  features?: readonly string[];
  /** A pending session (`sts: "pending"`): signed in, with a task left (for example choosing an organization). */
  pending?: boolean;
  /** The session id (`sid`); default derived from the user id. */
  sessionId?: string;
  /** Claims to add or replace, as a customized session token would carry them (`{ role: "staff" }`). */
  claims?: Record<string, JSONValue>;
};

/** What `clerkIdentity` returns: fits `t.withIdentity(...)` and `UserIdentity`. */
export type ClerkIdentity = UserIdentity & {
  sid: string;
  v: 2;
  /** Minutes since the first and second factor were verified (-1: none). */
  fva: [number, number];
  o?: { id: string; rol: string; slg?: string; per?: string; fpm?: string };
  pla?: string;
  fea?: string;
  sts?: "pending";
};

/**
 * The identity a Clerk session token v2 gives: `v: 2`, the active organization as
 * `o: { id, rol, slg, per, fpm }` (role without `org:`, permissions compacted into a list of
 * names `per` and, for each org feature in `fea`, a bitmask `fpm` over `per`, lowest bit
 * first), plans in `pla` and features in `fea` scoped `u:`/`o:`, and `sts: "pending"` for a
 * pending session. This package's `has()`, `requireRole`, `requireMembership` and
 * `requireUser` read it as they read a real token.
 *
 * ```ts
 * const admin = clerkIdentity({ userId: ada.id, org: { id: acme.id, role: "admin", permissions: ["org:posts:edit"] }, plans: ["pro"] });
 * await t.withIdentity(admin).mutation(api.posts.publish, { body: "hi" });
 * ```
 */
export function clerkIdentity(options: ClerkIdentityOptions): ClerkIdentity {
  const { userId, org } = options;
  const scope = org ? "o" : "u";
  const scoped = (name: string) => (/^(u|o|uo|ou):/.test(name) ? name : `${scope}:${name}`);
  const granted = (org?.permissions ?? []).map(parsePermission);
  const fea = unique([...granted.map((p) => `o:${p.feature}`), ...(options.features ?? []).map(scoped)]);
  const identity: { -readonly [K in keyof ClerkIdentity]: ClerkIdentity[K] } = {
    subject: userId,
    issuer: TEST_ISSUER,
    tokenIdentifier: `${TEST_ISSUER}|${userId}`,
    sid: options.sessionId ?? `sess_${userId.replace(/^user_/, "")}`,
    v: 2,
    fva: [0, -1],
  };
  if (org) {
    identity.o = { id: org.id, rol: org.role.replace(/^org:/, ""), ...(org.slug ? { slg: org.slug } : {}), ...compactPermissions(granted, fea) };
  } else if (granted.length > 0) {
    throw new Error("clerkIdentity: permissions belong to the active organization; give `org`");
  }
  if (options.plans?.length) identity.pla = unique(options.plans.map(scoped)).join(",");
  if (fea.length) identity.fea = fea.join(",");
  if (options.pending) identity.sts = "pending";
  return { ...identity, ...options.claims };
}

/**
 * `per` and `fpm` as Clerk computes them: `per` is the sorted permission names; `fpm` has one
 * integer per `o:` feature of `fea`, in order, whose bit `i` (lowest first) grants `per[i]`.
 */
export function compactPermissions(granted: readonly { feature: string; permission: string }[], fea: readonly string[]): { per?: string; fpm?: string } {
  if (granted.length === 0) return {};
  const per = unique(granted.map((g) => g.permission)).sort();
  const orgFeatures = fea.filter((f) => /^(o|uo|ou):/.test(f)).map((f) => f.slice(f.indexOf(":") + 1));
  const fpm = orgFeatures.map((feature) =>
    per.reduce((mask, permission, bit) => (granted.some((g) => g.feature === feature && g.permission === permission) ? mask + 2 ** bit : mask), 0),
  );
  return { per: per.join(","), fpm: fpm.join(",") };
}

function parsePermission(key: string): { feature: string; permission: string } {
  const match = /^(?:org:)?([^:,\s]+):([^:,\s]+)$/.exec(key);
  if (!match) throw new Error(`clerkIdentity: "${key}" is not a permission key of the form org:<feature>:<permission>`);
  const [, feature, permission] = match as unknown as [string, string, string];
  if (feature.startsWith("sys_")) throw new Error(`clerkIdentity: "${key}" is a system permission; Clerk's session token never carries those`);
  return { feature, permission };
}

const unique = <T>(items: readonly T[]) => [...new Set(items)];
