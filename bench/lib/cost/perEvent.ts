/**
 * Issue 21, goal 4: per-event goals, not means. Each stream's deliveries grouped by event type and
 * case (fresh, duplicate, stale: the floor decides, bench/lib/stream/floor.ts); in each group,
 * every delivery's documents read and written, index ranges and bytes read and written of the
 * synced tables are at most its floor plus the allowances of the rules of the sync that apply to
 * it (rules.ts). The goals (judged per delivery, so the worst counts) and the table's rows
 * (means beside the floor's and the baseline's) come from here.
 */
import { kindNamed } from "../../../src/shared/kinds/registry.js";
import type { Counts } from "../instrument.js";
import { CASES, type DeliveryCase, type FloorCost } from "../stream/floor.js";
import { mean, syncBytesRead, syncBytesWritten, syncRanges, syncReads, syncWrites, type StreamRun } from "./figures.js";
import { allowanceOf, FIGURE_TEXT, FIGURES, noAmounts, type Amounts, type FigureName } from "./rules.js";

const MEASURED: Record<FigureName, (c: Counts) => number> = {
  reads: syncReads,
  writes: syncWrites,
  ranges: syncRanges,
  bytesRead: syncBytesRead,
  bytesWritten: syncBytesWritten,
};
const floorOf = (c: FloorCost): Amounts => ({ reads: c.reads, writes: c.writes, ranges: c.ranges, bytesRead: c.bytesRead, bytesWritten: c.bytesWritten });

/** One event type and case of a run: its deliveries' figures, and what each was allowed beyond the floor. */
export type EventGroup = {
  type: string;
  case: DeliveryCase;
  pkg: Amounts[];
  base: Amounts[];
  floor: Amounts[];
  allowed: Amounts[];
  /** The rules that allowed anything to some delivery of the group. */
  rules: string[];
};

/** A run's deliveries by event type (in the kinds' order) and case. */
export function eventGroups(run: StreamRun): EventGroup[] {
  const groups = new Map<string, EventGroup>();
  run.deliveries.forEach((delivery, i) => {
    const floor = run.floor[i]!;
    const key = `${delivery.type}|${floor.case}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { type: delivery.type, case: floor.case, pkg: [], base: [], floor: [], allowed: [], rules: [] }));
    const measured = (c: Counts) => Object.fromEntries(FIGURES.map((figure) => [figure, MEASURED[figure](c)])) as Amounts;
    const { amounts, rules } = allowanceOf(kindNamed(delivery.kind), floor.facts);
    group.pkg.push(measured(run.pkg.events[i]!.counts));
    group.base.push(measured(run.base.events[i]!.counts));
    group.floor.push(floorOf(floor));
    group.allowed.push(amounts);
    for (const rule of rules) if (!group.rules.includes(rule)) group.rules.push(rule);
  });
  const types = run.kinds.flatMap((kind) => kind.webhook.events);
  const rank = (g: EventGroup) => types.indexOf(g.type) * CASES.length + CASES.indexOf(g.case);
  return [...groups.values()].sort((a, b) => rank(a) - rank(b));
}

/** Per delivery of the group: what it did beyond its floor plus what the rules allow (> 0 is over). */
export const overBy = (g: EventGroup, figure: FigureName) => g.pkg.map((p, i) => p[figure] - g.floor[i]![figure] - g.allowed[i]![figure]);
export const meanOf = (xs: Amounts[], figure: FigureName) => mean(xs.map((x) => x[figure]));
export const worstOf = (xs: Amounts[], figure: FigureName) => Math.max(...xs.map((x) => x[figure]));
export const label = (g: EventGroup) => `${g.type} ${g.case}`;
export { FIGURE_TEXT, FIGURES, noAmounts };
