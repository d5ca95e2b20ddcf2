/**
 * The rules of the sync that cost something beyond the floor, as data: each a name, what it
 * needs (its allowance, per figure), and when it applies, from what the floor's oracle saw of
 * the delivery (`Facts`, bench/lib/stream/floor.ts). The per-event goals (perEvent.ts) allow a
 * delivery its floor plus the allowances of the rules that apply to it, and name those rules.
 *
 * An allowance is what the rule needs, not what the package costs today: where the package
 * costs more, the goal fails and the gap is listed in `KNOWN_GAPS` (goals.ts), with its cause.
 * Webhook health's record per delivery (1 insert, 0 reads) is not here: its tables are counted
 * apart, against their own budget (`SIDE_FEATURES`, figures.ts).
 */
import { addressedTo, childrenOf, KINDS, type AnyKind } from "../../../src/shared/kinds/registry.js";
import type { Facts } from "../stream/floor.js";

export const FIGURES = ["reads", "writes", "ranges", "bytesRead", "bytesWritten"] as const;
export type FigureName = (typeof FIGURES)[number];
export type Amounts = Record<FigureName, number>;
export const FIGURE_TEXT: Record<FigureName, string> = {
  reads: "documents read",
  writes: "documents written",
  ranges: "index ranges",
  bytesRead: "bytes read",
  bytesWritten: "bytes written",
};
export const noAmounts = (): Amounts => ({ reads: 0, writes: 0, ranges: 0, bytesRead: 0, bytesWritten: 0 });

export type Rule = {
  name: string;
  /** What it needs, in words. */
  needs: string;
  /** Its allowance for one delivery of an event about `kind` (nothing, or zeros, when it does not apply). */
  allows(kind: AnyKind, facts: Facts): Partial<Amounts>;
};

/** Kinds that copy fields from a parent's row (a membership: its member's name, from the user). */
const COPIERS = KINDS.filter((kind) => "copies" in kind && kind.copies !== undefined);
const copied = new Set<string>(COPIERS.map((kind) => (kind as { copies: { parent: string } }).copies.parent));
const writtenOf = (facts: Facts, names: Iterable<string>) => [...names].reduce((n, name) => n + (facts.written[name] ?? 0), 0);

export const RULES: readonly Rule[] = [
  {
    name: "tombstone lookup",
    needs: "an id with no live row may have been deleted: +1 index range per such change, 0 documents while none is found",
    allows: (_, f) => ({ ranges: f.absent }),
  },
  {
    name: "deletion's tombstone",
    needs:
      "a deletion, or a membership superseded by a newer one, leaves a tombstone so that a late version cannot bring it back: +1 write and its bytes; for an object with no row, +1 index range (the lookup that finds none, which the floor, knowing, skips)",
    allows: (_, f) => ({ writes: f.tombstones, bytesWritten: f.tombstoneBytes, ranges: f.tombstoneLookups }),
  },
  {
    name: "cascade listing",
    needs:
      "a deletion, new or repeated (a repeat finishes a cascade that stopped), lists what belongs to the object: +1 index range per child kind and per kind addressed to it, less those the floor paid to remove children",
    allows: (kind, f) => ({ ranges: f.deletions * (childrenOf(kind.name).length + addressedTo(kind.name).length) - f.childRanges }),
  },
  {
    name: "each change looked at",
    needs:
      "a change that is not news (a membership event's embedded organization, an item of a subscription.* event) is known so only by reading what is stored: +1 index range, +1 read and its bytes each, beyond the one read the floor pays",
    allows: (_, f) => ({ ranges: f.lookedAt, reads: f.lookedAt, bytesRead: f.lookedAtBytes }),
  },
  {
    name: "parents' tombstones",
    needs:
      "a version about to be written (or whose parent is deleted) is checked against its parents' tombstones: +1 index range per parent id it holds, but for a parent the delivery already found stored or wrote (a membership event's embedded organization)",
    allows: (_, f) => ({ ranges: f.parentChecks }),
  },
  {
    name: "member's copy",
    needs:
      "a membership version written takes its member's name from the user's row when that is newer: +1 index range (+1 read where users are stored: none in these streams)",
    allows: (_, f) => ({
      ranges: writtenOf(
        f,
        COPIERS.map((kind) => kind.name),
      ),
    }),
  },
  {
    name: "copies refreshed",
    needs:
      "a user version written rewrites the memberships holding an older copy of it: +1 index range (+2 reads, +1 write per such membership: none in these streams)",
    allows: (_, f) => ({ ranges: writtenOf(f, copied) }),
  },
];

/** What the rules allow a delivery beyond its floor, and the rules that allow anything. */
export function allowanceOf(kind: AnyKind, facts: Facts): { amounts: Amounts; rules: string[] } {
  const amounts = noAmounts();
  const rules: string[] = [];
  for (const rule of RULES) {
    const given = rule.allows(kind, facts);
    if (!FIGURES.some((figure) => (given[figure] ?? 0) > 0)) continue;
    rules.push(rule.name);
    for (const figure of FIGURES) amounts[figure] += given[figure] ?? 0;
  }
  return { amounts, rules };
}
