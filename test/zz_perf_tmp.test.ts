import { test } from "vitest";
import { setup } from "./setup";
import { components, internal } from "../example/convex/_generated/api";
import { clerkUser } from "./fixtures/clerk";
import { userFromClerk } from "../src/shared/clerkUser";
import { createFunctionHandle } from "convex/server";

test("perf", async () => {
  const t = setup();
  for (let p = 0; p < 20; p++) {
    const changes = Array.from({ length: 500 }, (_, i) => ({ kind: "upsert" as const, user: userFromClerk(clerkUser(`user_${p}_${i}`)) }));
    const start = performance.now();
    await t.run(async (ctx) => {
      const hooks = {
        onUserCreated: await createFunctionHandle(internal.profiles.onUserCreated),
      };
      await ctx.runMutation(components.clerkUsers.sync.applyChanges, { changes, hooks });
    });
    console.log(p, (performance.now() - start).toFixed(1), "ms");
  }
}, 120000);
