/**
 * Clerk's `has()` for a Convex `UserIdentity`: role, permission, plan and feature
 * checks, pure (no ctx), so a query, mutation, action or test can call them alike.
 *
 * The answers are Clerk's own: claims are decoded by `@clerk/shared`'s JWT parser
 * (the one `@clerk/backend` uses to build `auth()`), and checked by its
 * `createCheckAuthorization`. This file only finds the claims in the identity
 * (nested, dotted or JSON-string, as Convex may deliver them), rejects wrongly typed
 * ones, and adds the custom `role` / `plan` / `permissions` claims a JWT template
 * or customized session token may carry. Every failure is a denial, never a throw.
 */
import type { UserIdentity } from "convex/server";
import type { JwtPayload } from "@clerk/shared/types";
import { createCheckAuthorization, splitByScope } from "@clerk/shared/authorization";
// Both modules are tiny and import nothing else, so they are cheap in a Convex bundle.
import { __experimental_JWTPayloadToAuthObjectProperties as clerkAuthProperties } from "@clerk/shared/jwtPayloadParser";

/** What `getUserIdentity()` returned; `null`/`undefined` (signed out) is always denied. */
export type Identity = UserIdentity | null | undefined;

/**
 * Where a custom claim lives: a dotted path (`"metadata.role"`), paths to try in
 * order, a function of the identity, or `false` to ignore such claims.
 */
export type ClaimLocation = string | readonly string[] | false | ((identity: UserIdentity) => unknown);

/** Where custom claims live. Each replaces its default when given. */
export type ClaimsOptions = {
  /** A single role name. Default: `["role", "metadata.role", "public_metadata.role"]`. */
  roleClaim?: ClaimLocation;
  /** Plan names (string, comma list or array). Default: `["plan", "metadata.plan", "public_metadata.plan"]`. */
  planClaim?: ClaimLocation;
  /** Permission names (array or comma list). Default: `["permissions", "metadata.permissions", "public_metadata.permissions"]`. */
  permissionsClaim?: ClaimLocation;
  /** Whether a pending session (`sts: "pending"`) is signed out: every check denies. Default `true`, as in Clerk. */
  treatPendingAsSignedOut?: boolean;
};

/** What to check. Every criterion given must pass; a check with none is `false`, as in Clerk. */
export type HasParams = { role?: string; permission?: string; plan?: string; feature?: string };

/** The authorization facts in an identity, normalized. */
export type AuthorizationClaims = {
  userId: string;
  orgId: string | null;
  /** As Clerk's `auth().orgRole`: `"org:admin"` (v2 `o.rol` gets the prefix Clerk adds). */
  orgRole: string | null;
  orgSlug: string | null;
  /** As Clerk's `auth().orgPermissions`: `"org:<feature>:<permission>"` (v2: decoded from `o.per`/`o.fpm`). */
  orgPermissions: string[];
  /** `"o:<feature>"` / `"u:<feature>"` from `fea`. */
  features: string[];
  /** `"o:<plan>"` / `"u:<plan>"` from `pla`, plus the custom plan claim as `"u:<plan>"`. */
  plans: string[];
  /** The custom role claim: an app-wide role, checked like an org role. */
  userRole: string | null;
  /** The custom permissions claim, checked like org permissions. */
  userPermissions: string[];
};

const DEFAULTS = {
  roleClaim: ["role", "metadata.role", "public_metadata.role"],
  planClaim: ["plan", "metadata.plan", "public_metadata.plan"],
  permissionsClaim: ["permissions", "metadata.permissions", "public_metadata.permissions"],
} as const;

/**
 * Reads the authorization facts from an identity, or `null` when there is no
 * signed-in user: no identity, no subject, a pending session (Clerk's backend treats
 * those as signed out by default), or claims Clerk itself cannot parse.
 *
 * ```ts
 * const claims = readClaims(await ctx.auth.getUserIdentity());
 * if (claims?.orgId) { ... }
 * ```
 */
export function readClaims(identity: Identity, options: ClaimsOptions = {}): AuthorizationClaims | null {
  if (!isRecord(identity)) return null;
  const userId = identity.subject;
  if (typeof userId !== "string" || !userId) return null;
  if ((options.treatPendingAsSignedOut ?? true) && isPendingSession(identity)) return null;

  const fea = text(claim(identity, "fea"));
  const payload =
    claim(identity, "v") === 2
      ? { sub: userId, v: 2, fea, o: v2Org(identity) }
      : {
          sub: userId,
          org_id: text(claim(identity, "org_id")),
          org_role: text(claim(identity, "org_role")),
          org_slug: text(claim(identity, "org_slug")),
          org_permissions: list(claim(identity, "org_permissions"), false) ?? undefined,
        };
  let auth;
  try {
    auth = clerkAuthProperties(payload as unknown as JwtPayload);
  } catch {
    return null; // e.g. a `fea` element without a scope: Clerk's backend cannot build `auth()` either
  }

  const customPlans = (list(locate(identity, options.planClaim ?? DEFAULTS.planClaim), true) ?? []).map((plan) =>
    /^(u|o|ou|uo):/.test(plan) ? plan : `u:${plan}`,
  );
  const userRole = text(locate(identity, options.roleClaim ?? DEFAULTS.roleClaim));
  return {
    userId,
    orgId: text(auth.orgId) ?? null,
    orgRole: text(auth.orgRole) ?? null,
    orgSlug: text(auth.orgSlug) ?? null,
    orgPermissions: list(auth.orgPermissions, false) ?? [],
    features: scoped(fea),
    plans: [...scoped(text(claim(identity, "pla"))), ...scoped(customPlans.join(","))],
    userRole: userRole && withOrg(userRole) !== "org:" ? userRole : null,
    userPermissions: (list(locate(identity, options.permissionsClaim ?? DEFAULTS.permissionsClaim), true) ?? []).filter((p) => withOrg(p) !== "org:"),
  };
}

/**
 * Clerk's `has()` on a Convex identity. Roles and permissions match with or without
 * `org:`; plans and features with `u:`/`o:` scope or none. Several criteria must all pass.
 *
 * ```ts
 * const identity = await ctx.auth.getUserIdentity();
 * const canExport = has(identity, { role: "admin", feature: "exports" }); // to throw instead: requireAuthorization
 * ```
 */
export function has(identity: Identity, params: HasParams, options?: ClaimsOptions): boolean {
  try {
    const claims = readClaims(identity, options);
    if (!claims) return false;
    const clerkHas = createCheckAuthorization({
      userId: claims.userId,
      orgId: claims.orgId,
      orgRole: claims.orgRole,
      orgPermissions: claims.orgPermissions,
      factorVerificationAge: null,
      features: claims.features.join(","),
      plans: claims.plans.join(","),
    });
    // Clerk ANDs the criteria; asking them one at a time gives the same answer and
    // lets an app-wide custom role or permission stand in for the org one.
    const asked = (["role", "permission", "plan", "feature"] as const).filter((k) => params[k] !== undefined);
    return (
      asked.length > 0 &&
      asked.every((k) => {
        const wanted: unknown = params[k];
        if (clerkHas({ [k]: wanted } as Parameters<typeof clerkHas>[0])) return true;
        if (typeof wanted !== "string") return false;
        if (k === "role") return claims.userRole !== null && withOrg(claims.userRole) === withOrg(wanted);
        if (k === "permission") return claims.userPermissions.some((p) => withOrg(p) === withOrg(wanted));
        return false;
      })
    );
  } catch {
    return false; // a hostile identity or a throwing `roleClaim` function: deny, never throw
  }
}

/** `has(identity, { role })`: `"admin"` and `"org:admin"` are the same role. */
export const hasRole = (identity: Identity, role: string, options?: ClaimsOptions) => has(identity, { role }, options);
/** `has(identity, { permission })`: `"posts:edit"` and `"org:posts:edit"` are the same permission. */
export const hasPermission = (identity: Identity, permission: string, options?: ClaimsOptions) => has(identity, { permission }, options);
/** `has(identity, { plan })`: `"pro"` matches a user or org plan, `"u:pro"`/`"o:pro"` only that scope. */
export const hasPlan = (identity: Identity, plan: string, options?: ClaimsOptions) => has(identity, { plan }, options);
/** `has(identity, { feature })`: `"exports"` matches a user or org feature, `"u:exports"`/`"o:exports"` only that scope. */
export const hasFeature = (identity: Identity, feature: string, options?: ClaimsOptions) => has(identity, { feature }, options);

/** Whether the token is of a session with unfinished tasks (`sts: "pending"`), which Clerk treats as signed out by default. */
export function isPendingSession(identity: UserIdentity): boolean {
  return claim(identity, "sts") === "pending";
}

/** Clerk's own normalization (`prefixWithOrg` in @clerk/shared/authorization, not exported). */
const withOrg = (value: string) => value.replace(/^(org:)*/, "org:");

/** The v2 `o` claim with only well-typed fields, or undefined when there is none (Clerk: no org). */
function v2Org(identity: UserIdentity) {
  const o = {
    id: text(claim(identity, "o.id")),
    rol: text(claim(identity, "o.rol")),
    slg: text(claim(identity, "o.slg")),
    per: text(claim(identity, "o.per")),
    fpm: text(claim(identity, "o.fpm")),
  };
  return Object.values(o).some((v) => v !== undefined) ? o : undefined;
}

/** `fea`/`pla` as `"o:x"`/`"u:x"` entries, by Clerk's `splitByScope`; malformed means none. */
function scoped(claimValue: string | undefined): string[] {
  if (!claimValue) return [];
  try {
    const { org, user } = splitByScope(claimValue);
    return [...org.map((v) => `o:${v}`), ...user.map((v) => `u:${v}`)];
  } catch {
    return [];
  }
}

function locate(identity: UserIdentity, where: ClaimLocation): unknown {
  if (where === false) return undefined;
  if (typeof where === "function") return where(identity);
  for (const path of typeof where === "string" ? [where] : where) {
    const value = claim(identity, path);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * The claim at a dotted path. Convex flattens nested claims of custom-JWT providers
 * into `"o.rol"` keys, OIDC providers pass objects through, and some setups
 * deliver objects as JSON strings: accept all three, at every level.
 */
function claim(value: unknown, path: string): unknown {
  return lookup(value, path.split("."));
}

function lookup(value: unknown, segments: string[]): unknown {
  if (segments.length === 0) return value;
  const obj = asObject(value);
  if (!obj) return undefined;
  for (let i = segments.length; i >= 1; i--) {
    const key = segments.slice(0, i).join(".");
    if (Object.prototype.hasOwnProperty.call(obj, key)) {
      const found = lookup(obj[key], segments.slice(i));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === "string" && value.trimStart().startsWith("{")) value = parseJson(value);
  return isRecord(value) ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A non-empty string, else undefined: a wrongly typed claim is an absent one. */
function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * A list of non-empty strings without commas (they are re-joined for Clerk), from an
 * array or a JSON-array string, or, if `commaList`, a comma-separated string.
 * Any bad element makes the whole claim absent (null).
 */
function list(value: unknown, commaList: boolean): string[] | null {
  if (typeof value === "string" && value.trimStart().startsWith("[")) value = parseJson(value);
  else if (typeof value === "string" && commaList) value = value.split(",").map((s) => s.trim());
  if (!Array.isArray(value)) return null;
  return value.every((v) => typeof v === "string" && v !== "" && !v.includes(",")) ? (value as string[]) : null;
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
