import type { CountsByKind, KindCounts } from "../../shared/resync.js";
import type { ApplyOutcome, Kind } from "../../shared/validators.js";

/**
 * A run's counts, one `KindCounts` per kind it has reached, keyed by kind name (`status.counts`).
 * A kind's counts start at zero when its listing starts.
 */

type Tally = Pick<KindCounts, "created" | "updated" | "unchanged" | "tombstoned">;

export function newTally(): Tally {
  return { created: 0, updated: 0, unchanged: 0, tombstoned: 0 };
}

export function emptyCounts(): KindCounts {
  return { seen: 0, ...newTally(), invalid: 0, invalidIds: [], removed: 0 };
}

/** Counts what applying one listed or re-checked object did. */
export function count(tally: Tally, outcome: ApplyOutcome) {
  if (outcome === "created") tally.created++;
  else if (outcome === "updated") tally.updated++;
  else if (outcome === "duplicate" || outcome === "stale") tally.unchanged++;
  else if (outcome === "tombstoned") tally.tombstoned++;
}

export function addTally(counts: KindCounts, tally: Tally): KindCounts {
  return {
    ...counts,
    created: counts.created + tally.created,
    updated: counts.updated + tally.updated,
    unchanged: counts.unchanged + tally.unchanged,
    tombstoned: counts.tombstoned + tally.tombstoned,
  };
}

/** The counts of the kind the run is at. */
export function countsOf(run: { kind: Kind; counts: CountsByKind }): KindCounts {
  return run.counts[run.kind] ?? emptyCounts();
}

/** The run's counts with those of the kind it is at replaced. */
export function withCounts(run: { kind: Kind; counts: CountsByKind }, counts: KindCounts): { counts: CountsByKind } {
  return { counts: { ...run.counts, [run.kind]: counts } };
}

/** The counts of a run (or its next kind) starting to list `kind`. */
export function startCounts(counts: CountsByKind, kind: Kind): CountsByKind {
  return { ...counts, [kind]: emptyCounts() };
}
