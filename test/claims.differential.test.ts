/**
 * Our has() against Clerk's: for random session-token claims and random checks, the
 * answer must be the one `@clerk/backend` gives from the same JWT payload
 * (`getAuthObjectFromJwt`, the function behind `auth()`, pending sessions and all).
 * A payload Clerk cannot turn into an auth object counts as "denied".
 */
import { afterAll, describe, expect, test } from "vitest";
import fc from "fast-check";
import type { UserIdentity } from "convex/server";
import type { Jwt } from "@clerk/shared/types";
import { getAuthObjectFromJwt } from "@clerk/backend/internal";
import { has, type HasParams } from "../src/client/claims.js";

const ROLES = ["admin", "member", "billing_manager"];
const FEATURES = ["posts", "billing", "chat", "reports"];
const PERMISSIONS = ["read", "manage", "delete"];
const PLANS = ["free", "pro", "team"];
const NUM_RUNS = 1000;

/** Clerk's answer, computed by Clerk's code from the raw payload. */
function clerkAnswers(payload: Record<string, unknown>): (params: HasParams) => boolean {
  let auth: ReturnType<typeof getAuthObjectFromJwt>;
  try {
    const raw = { header: "", payload: "", signature: "", text: "token" };
    auth = getAuthObjectFromJwt({ payload, raw } as unknown as Jwt, {});
  } catch {
    return () => false;
  }
  return (params) => auth.has(params as Parameters<typeof auth.has>[0]);
}

/** The identity Convex hands our functions for that payload: sub becomes subject. */
function toIdentity({ sub, iss, ...claims }: Record<string, unknown>): UserIdentity {
  return { tokenIdentifier: `${iss}|${sub}`, issuer: iss, subject: sub, ...claims } as UserIdentity;
}

/** The same v2 org claim as a nested object, Convex's flattened "o.x" keys, or a JSON string. */
function orgForms(payload: Record<string, unknown>): UserIdentity[] {
  const { o, ...rest } = payload;
  if (o === undefined) return [toIdentity(payload)];
  const dotted = Object.fromEntries(Object.entries(o as object).map(([k, v]) => [`o.${k}`, v]));
  return [toIdentity(payload), toIdentity({ ...rest, ...dotted }), toIdentity({ ...rest, o: JSON.stringify(o) })];
}

const base = { iss: "https://clerk.example.dev", sid: "sess_1", iat: 1, exp: 2, nbf: 1, azp: "http://localhost" };
const omitUndefined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 4 });
/** Mostly a signed-in, active session; sometimes no subject or a pending one (Clerk: signed out). */
const sub = fc.oneof({ weight: 9, arbitrary: fc.constantFrom("user_1", "user_2") }, { weight: 1, arbitrary: fc.constant("") });
const sts = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(undefined, "active") }, { weight: 1, arbitrary: fc.constant("pending") });

/**
 * `fea`/`pla` entries as Clerk emits them (`o:`/`u:`; splitByScope also reads `ou:`/`uo:`),
 * rarely an unscoped one, which Clerk cannot parse.
 */
const scopedEntries = (names: string[]) =>
  fc.array(
    fc.oneof(
      {
        weight: 30,
        arbitrary: fc.tuple(fc.constantFrom("o", "u", "o", "u", "ou", "uo"), fc.constantFrom(...names)).map(([s, n]) => `${s}:${n}`),
      },
      { weight: 1, arbitrary: fc.constantFrom(...names) },
    ),
    { maxLength: 5 },
  );
const joined = (entries: string[]) => fc.constantFrom(",", ", ").map((sep) => entries.join(sep));

/** A v2 payload: `fpm` has one decimal bitmask per org-scoped feature, over the `per` list. */
const v2Payload = fc
  .record({
    sub,
    fea: maybe(scopedEntries(FEATURES)),
    pla: maybe(scopedEntries(PLANS).chain(joined)),
    per: fc.uniqueArray(fc.constantFrom(...PERMISSIONS), { maxLength: 3 }),
    org: fc.option(
      fc.record({
        id: fc.constantFrom("org_1", "org_2"),
        rol: maybe(fc.constantFrom(...ROLES)),
        slg: maybe(fc.constant("acme")),
      }),
      { nil: undefined, freq: 4 },
    ),
    sts,
    lengthSkew: fc.constantFrom(0, 0, 0, 0, -1, 1),
  })
  .chain(({ fea, per, org, lengthSkew, ...rest }) => {
    const orgFeatures = (fea ?? []).filter((e) => !e.startsWith("u:")).length;
    const fpm = fc.array(
      fc.oneof(
        { weight: 8, arbitrary: fc.bigInt(0n, (1n << BigInt(per.length + 1)) - 1n).map(String) },
        { weight: 1, arbitrary: fc.constantFrom("x", "", "00", "340282366920938463463374607431768211455") },
      ),
      { minLength: Math.max(0, orgFeatures + lengthSkew), maxLength: Math.max(0, orgFeatures + lengthSkew) },
    );
    return fc
      .record({
        fea: fea ? joined(fea) : fc.constant(undefined),
        fpm: fc.option(
          fpm.map((m) => m.join(",")),
          { nil: undefined, freq: 6 },
        ),
      })
      .map(({ fea: feaText, fpm: fpmText }) =>
        omitUndefined({
          ...base,
          ...rest,
          v: 2,
          fea: feaText,
          o: org && omitUndefined({ ...org, per: per.length ? per.join(",") : undefined, fpm: fpmText }),
        }),
      );
  });

/** A v1 payload: org_* claims, with `fea`/`pla` read the same way as in v2. */
const v1Payload = fc
  .record({
    sub,
    org_id: maybe(fc.constantFrom("org_1", "org_2")),
    org_role: maybe(fc.tuple(fc.constantFrom("org:", "org:", ""), fc.constantFrom(...ROLES)).map(([p, r]) => p + r)),
    org_slug: maybe(fc.constant("acme")),
    org_permissions: maybe(
      fc.uniqueArray(
        fc.tuple(fc.constantFrom(...FEATURES), fc.constantFrom(...PERMISSIONS)).map(([f, p]) => `org:${f}:${p}`),
        { maxLength: 5 },
      ),
    ),
    fea: maybe(scopedEntries(FEATURES).chain(joined)),
    pla: maybe(scopedEntries(PLANS).chain(joined)),
    sts,
  })
  .map((p) => omitUndefined({ ...base, ...p }));

const orgPrefix = fc.constantFrom("", "", "org:", "org:org:");
const scope = fc.constantFrom("", "", "u:", "o:", "user:", "org:", "organization:", "ou:", "x:");
const odd = fc.constantFrom("", "org:", "u:", ":", "o:pro:x", "pro:u");

/** Names the payload itself mentions, so that many random checks are ones Clerk allows. */
function mentioned(payload: Record<string, unknown>) {
  const o = (payload.o ?? {}) as { rol?: string; per?: string };
  const names = (claim: unknown) => (typeof claim === "string" ? claim.split(",").map((e) => e.trim().split(":")[1] ?? "") : []);
  const per = o.per?.split(",") ?? [];
  return {
    roles: [o.rol, String(payload.org_role ?? "").replace(/^org:/, "")].filter((r): r is string => !!r),
    permissions: [
      ...FEATURES.flatMap((f) => per.map((p) => `${f}:${p}`)),
      ...((payload.org_permissions as string[] | undefined) ?? []).map((p) => p.replace(/^org:/, "")),
    ],
    plans: names(payload.pla),
    features: names(payload.fea),
  };
}

/** A name from the token itself (when it has some) or from the wider pool. */
const pick = (own: string[], pool: string[]) =>
  own.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...own) }, { weight: 1, arbitrary: fc.constantFrom(...pool) }) : fc.constantFrom(...pool);

/** Random checks: mostly one criterion, sometimes several or none; prefixed, scoped or odd. */
function checksFor(payload: Record<string, unknown>): fc.Arbitrary<HasParams[]> {
  const own = mentioned(payload);
  const likely = (arb: fc.Arbitrary<string>) => fc.oneof({ weight: 6, arbitrary: arb }, { weight: 1, arbitrary: odd });
  const criteria = {
    role: likely(fc.tuple(orgPrefix, pick(own.roles, [...ROLES, "viewer"])).map(([p, r]) => p + r)),
    permission: likely(fc.tuple(orgPrefix, pick(own.permissions, ["posts:read", "chat:manage"])).map(([p, n]) => p + n)),
    plan: likely(fc.tuple(scope, pick(own.plans, [...PLANS, "enterprise"])).map(([s, n]) => s + n)),
    feature: likely(fc.tuple(scope, pick(own.features, [...FEATURES, "sso"])).map(([s, n]) => s + n)),
  };
  const single = fc.oneof(...(Object.keys(criteria) as (keyof HasParams)[]).map((k) => criteria[k].map((v): HasParams => ({ [k]: v }))));
  const several = fc.record(criteria, { requiredKeys: [] });
  return fc.array(fc.oneof({ weight: 3, arbitrary: single }, { weight: 1, arbitrary: several }), {
    minLength: 1,
    maxLength: 8,
  });
}

const withChecks = (payloads: fc.Arbitrary<Record<string, unknown>>) => payloads.chain((payload) => fc.tuple(fc.constant(payload), checksFor(payload)));

describe("has() agrees with Clerk's has()", () => {
  const tally = { checks: 0, allowed: 0, allowedPermissions: 0 };
  afterAll(() => {
    // Guard against a vacuous test: plenty of the checks must be ones Clerk allows.
    expect(tally.allowed).toBeGreaterThan(tally.checks / 10);
    expect(tally.allowedPermissions).toBeGreaterThan(100);
  });

  const agree = (payload: Record<string, unknown>, forms: UserIdentity[], checks: HasParams[]) => {
    const clerk = clerkAnswers(payload);
    for (const params of checks) {
      const expected = clerk(params);
      for (const identity of forms) expect(has(identity, params), JSON.stringify({ payload, params })).toBe(expected);
      tally.checks++;
      if (expected) tally.allowed++;
      if (expected && params.permission !== undefined) tally.allowedPermissions++;
    }
  };

  test(`v2 session tokens, nested, dotted and JSON-string org claims (${NUM_RUNS} claim sets)`, () => {
    fc.assert(
      fc.property(withChecks(v2Payload), ([payload, checks]) => agree(payload, orgForms(payload), checks)),
      { numRuns: NUM_RUNS },
    );
  });

  test(`v1 session tokens (${NUM_RUNS} claim sets)`, () => {
    fc.assert(
      fc.property(withChecks(v1Payload), ([payload, checks]) => agree(payload, [toIdentity(payload)], checks)),
      { numRuns: NUM_RUNS },
    );
  });
});
