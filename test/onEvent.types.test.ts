/**
 * What `onEvent` receives, as the type checker sees it (`npm run typecheck` compiles this file):
 * Clerk's event typed as `@clerk/backend`'s `WebhookEvent`, so its `type` narrows its `data`.
 */
import type { EmailJSON, SessionWebhookEvent, WebhookEvent } from "@clerk/backend";
import { defineClerkHooks, type ClerkEventDelivery } from "convex-clerk-users";
import { expect, expectTypeOf, test } from "vitest";
import { internalMutation } from "../example/convex/_generated/server";

test("onEvent gets { event: WebhookEvent, svixId }, and session.created narrows event.data to Clerk's session", () => {
  const hooks = defineClerkHooks(internalMutation, {
    onEvent: (_ctx, { event, svixId }) => {
      expectTypeOf(event).toEqualTypeOf<WebhookEvent>();
      expectTypeOf(svixId).toEqualTypeOf<string>();
      if (event.type === "session.created") expectTypeOf(event.data).toEqualTypeOf<SessionWebhookEvent["data"]>();
      if (event.type === "email.created") expectTypeOf(event.data).toEqualTypeOf<EmailJSON>();
    },
  });
  expectTypeOf<ClerkEventDelivery>().toEqualTypeOf<{ event: WebhookEvent; svixId: string }>();
  expect(hooks).toBeDefined();
});
