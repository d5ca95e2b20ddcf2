import { planDeliveries } from "convex-clerk-users/test";
import { componentModules } from "../src/testkit/modules";
import fc from "fast-check";
import { expect, test } from "vitest";

test("register's module list holds every module of the component (the compiled kit cannot glob them)", () => {
  const sources = Object.keys(import.meta.glob(["../src/component/**/*.ts", "!../src/component/**/*.test.ts"]))
    .map((path) => path.replace("../src/component/", "./component/").replace(/\.ts$/, ".js"))
    .filter((path) => !/_generated\/(component|dataModel)\.js$/.test(path)); // types only
  expect(Object.keys(componentModules).sort()).toEqual(sources.sort());
});

const events = fc.array(fc.integer(), { maxLength: 30 });
const options = fc.record({ shuffle: fc.boolean(), duplicate: fc.boolean(), seed: fc.oneof(fc.integer(), fc.string()) });

test("every event is delivered once, or twice with duplicate (the same svix id, the copy later), in Clerk's order unless shuffled", () => {
  fc.assert(
    fc.property(events, options, (list, opts) => {
      const plan = planDeliveries(list, opts);
      expect(plan).toHaveLength(list.length * (opts.duplicate ? 2 : 1));
      for (const index of list.keys()) {
        const copies = plan.flatMap((d, at) => (d.index === index ? [{ ...d, at }] : []));
        expect(copies.map((c) => c.redelivery)).toEqual(opts.duplicate ? [false, true] : [false]);
        expect(new Set(copies.map((c) => c.svixId)).size).toBe(1);
        expect(copies.every((c) => c.event === list[index])).toBe(true);
      }
      expect(new Set(plan.map((d) => d.svixId)).size).toBe(list.length);
      if (!opts.shuffle) expect(plan.filter((d) => !d.redelivery).map((d) => d.index)).toEqual([...list.keys()]);
      expect(planDeliveries(list, opts)).toEqual(plan); // one seed, one run
    }),
  );
});

test("shuffling changes the order for some seed", () => {
  const list = Array.from({ length: 10 }, (_, i) => i);
  const orders = new Set(
    [1, 2, 3, 4, 5].map((seed) =>
      planDeliveries(list, { shuffle: true, seed })
        .map((d) => d.index)
        .join(),
    ),
  );
  expect(orders.size).toBeGreaterThan(1);
});
