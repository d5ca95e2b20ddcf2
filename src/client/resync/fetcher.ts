import { idOf, listedOf } from "../../shared/paging.js";
import type { Handback, Instruction } from "../../shared/resync.js";
import type { Kind } from "../../shared/validators.js";
import { resyncKindOf, embeddedIn, sortOut } from "../resyncKinds.js";
import { isPostponed, type ClerkApi, type Postponed } from "./clerkApi.js";
import { listPlans, plansHandback } from "./plans.js";

type Page = Promise<Extract<Handback, { op: "list" }> | Postponed>;

/**
 * Carries out the component's instructions against Clerk's Backend API and says what to hand
 * back: it decides nothing about the run. A `list` instruction's `ahead` page is fetched, and
 * sorted out as soon as Clerk answers, while this page is applied: the page mutations run one
 * after another, and the next one waits for nothing but the one before it (and Clerk's rate
 * limit). The page is used if the next instruction names it, and dropped otherwise.
 */
export class Fetcher {
  private ahead: { kind: Kind; offset: number; limit: number; page: Page } | undefined;

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
        const page = await (this.holds(instruction) ? this.ahead!.page : this.listPage(kind, offset, limit, parent));
        this.ahead = undefined;
        if (isPostponed(page)) return page;
        if (fetchAhead && ahead !== undefined && page.listed.length === limit) {
          const next = this.listPage(kind, ahead, limit);
          // If the page's commit throws, the step stops and abandons this fetch: keep it from surfacing unhandled.
          next.catch(() => {});
          this.ahead = { kind, offset: ahead, limit, page: next };
        }
        return page;
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

  /** A page and what to hand back for it, sorted out the moment Clerk answers. */
  private async listPage(kind: Kind, offset: number, limit: number, parent?: string): Page {
    const { path, params } = resyncKindOf(kind).list(parent);
    const items = await this.api.listPage(path, { ...params, limit, offset });
    if (isPostponed(items)) return items;
    const { page: rows, invalid } = sortOut(kind, items);
    const embedded = embeddedIn(kind, items);
    const forParent = parent !== undefined ? { parent } : {};
    return { op: "list", offset, limit, ...forParent, listed: items.map(listedOf), rows, invalid, ...(embedded.length > 0 ? { embedded } : {}) };
  }
}
