/** The one loop over the goals (goals.ts): a verdict per goal, its printed line, and whether the run failed. */
import type { Figure, Goal } from "./goals.js";

/** A mean may overshoot its limit by rounding. */
const EPSILON = 1e-9;
const within = ({ measured, floor, ceiling }: Figure) =>
  (floor === undefined || measured >= floor - EPSILON) && (ceiling === undefined || measured <= ceiling + EPSILON);

export type Verdict = { lines: string[]; failed: Goal[] };

/**
 * PASS or FAIL for each goal with figures, INFO for a figure with no goal. A count goal that
 * fails fails the run, but for a known gap (printed, with why). A wall time is judged on a full
 * run only: one short smoke round says nothing about timing, so there it is printed as INFO.
 */
export function verdict(goals: readonly Goal[], { smoke }: { smoke: boolean }): Verdict {
  const lines = ["Goals (counts enforced: a FAIL exits 1, but for a known gap; wall times printed only)"];
  const failed: Goal[] = [];
  for (const goal of goals) {
    const ok = goal.figures.every(within);
    if (goal.judged === "info" || (goal.judged === "time" && smoke)) {
      lines.push(`INFO  ${goal.name}: ${goal.detail}${goal.judged === "time" ? " (one smoke round: judge timing on a full run)" : ""}`);
    } else if (goal.known) {
      lines.push(
        ok
          ? `PASS  ${goal.name}: ${goal.detail} (listed in KNOWN_GAPS in bench/lib/cost/goals.ts, now met: remove it there so it is enforced)`
          : `FAIL  ${goal.name}: ${goal.detail} (known gap, not enforced until fixed: ${goal.known})`,
      );
    } else {
      lines.push(`${ok ? "PASS" : "FAIL"}  ${goal.name}: ${goal.detail}`);
      if (!ok && goal.judged === "count") failed.push(goal);
    }
  }
  return { lines, failed };
}
