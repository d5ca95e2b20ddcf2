import { idOf, listedOf } from "../../shared/paging.js";
import type { Handback, Instruction } from "../../shared/resync.js";
import type { Kind } from "../../shared/validators.js";
import { resyncKindOf, embeddedIn, sortOut } from "../resyncKinds.js";
import { isPostponed, type ClerkApi, type Postponed } from "./clerkApi.js";
import { listPlans, plansHandback } from "./plans.js";

type Fetched = Promise<unknown[] | Postponed>;

/**
 * Carries out the component's instructions against Clerk's Backend API and says what to hand
 * back: it decides nothing about the run. A `list` instruction's `ahead` page is fetched while
 * this page is applied, so a step runs at the pace of the slower of Clerk's rate limit and the
 * page mutations; it is used if the next instruction names it, and dropped otherwise.
 */
export class Fetcher {
  private ahead: { kind: Kind; offset: number; limit: number; items: Fetched } | undefined;

  constructor(private readonly api: ClerkApi) {}

  /** Whether the page `instruction` names was fetched ahead already (so it costs no request). */
  holds(instruction: Instruction): boolean {
    const { ahead } = this;
    return (
      instruction.op === "list" &&
      instruction.parent === undefined &&
      ahead !== undefined &&
      ahead.kind === instruction.kind &&
      ahead.offset === instruction.offset &&
      ahead.limit === instruction.limit
    );
  }

  /**
   * What to hand back for `instruction`, or a postponement when the next request must wait past
   * the step's deadline. `fetchAhead`: the step has time for the page after this one.
   */
  async carryOut(instruction: Exclude<Instruction, { op: "done" }>, { fetchAhead }: { fetchAhead: boolean }): Promise<Handback | Postponed> {
    switch (instruction.op) {
      case "judge":
        return { op: "judge" };
      case "plans": {
        const plans = await listPlans(this.api, instruction.limit);
        return isPostponed(plans) ? plans : plansHandback(plans);
      }
      case "list": {
        const { kind, offset, limit, ahead, parent } = instruction;
        const items = await (this.holds(instruction) ? this.ahead!.items : this.listPage(kind, offset, limit, parent));
        this.ahead = undefined;
        if (isPostponed(items)) return items;
        if (fetchAhead && ahead !== undefined && items.length === limit) {
          const next = this.listPage(kind, ahead, limit);
          // If the page's commit throws, the step stops and abandons this fetch: keep it from surfacing unhandled.
          next.catch(() => {});
          this.ahead = { kind, offset: ahead, limit, items: next };
        }
        const { page: rows, invalid } = sortOut(kind, items);
        const embedded = embeddedIn(kind, items);
        const forParent = parent !== undefined ? { parent } : {};
        return { op: "list", offset, limit, ...forParent, listed: items.map(listedOf), rows, invalid, ...(embedded.length > 0 ? { embedded } : {}) };
      }
      case "recheck": {
        const { kind, candidates, refs } = instruction;
        const ids = candidates.map((candidate) => candidate.clerkId);
        const answers = await resyncKindOf(kind).recheck(
          this.api,
          ids,
          candidates.map((candidate) => candidate.belongsTo ?? {}),
        );
        if (isPostponed(answers)) return answers;
        const byId = new Map(answers.map((json) => [idOf(json), json]));
        const { page: found, seen: foundIds } = sortOut(
          kind,
          ids.filter((id) => byId.has(id)).map((id) => byId.get(id)),
        );
        return { op: "recheck", answered: refs, found, foundIds, missing: ids.filter((id) => !byId.has(id)) };
      }
    }
  }

  private listPage(kind: Kind, offset: number, limit: number, parent?: string): Fetched {
    const { path, params } = resyncKindOf(kind).list(parent);
    return this.api.listPage(path, { ...params, limit, offset });
  }
}
