import { KINDS as REGISTRY, addressedTo, childrenOf, type AnyKind, type KindName } from "../shared/kinds/registry.js";

/**
 * What the engine (apply.ts, cascades.ts) and the resync's windows know about each kind, by name:
 * its module's description (shared/kinds/), and the kinds whose rows belong to it, derived from
 * their parents. Nothing here names a kind.
 */
export type KindSpec = AnyKind & {
  /** The field naming the row in a hook event (`{ type: "user.created", user }`): the kind's name. */
  field: KindName;
  /** Rows of other kinds removed with an object of this kind, found by an index whose first field holds its Clerk id. */
  children: readonly { kind: KindName; index: string; field: string }[];
  /** Rows of other kinds addressed to an object of this kind by a value of its row (`Addressee`), removed with it too. */
  addressed: readonly { kind: KindName; index: string; field: string; valueOf(row: Record<string, unknown>): string | undefined }[];
};

function specOf(kind: AnyKind): KindSpec {
  return {
    ...kind,
    field: kind.name,
    children: childrenOf(kind.name).map(({ kind: child, index, field }) => ({ kind: child.name, index, field })),
    addressed: addressedTo(kind.name).map(({ kind: child, ...to }) => ({ kind: child.name, ...to })),
  };
}

export const KINDS = Object.fromEntries(REGISTRY.map((kind) => [kind.name, specOf(kind)])) as Record<KindName, KindSpec>;
