// A second hand-written endpoint for the events the first does not store (sessions, emails...),
// as an app would write it beside the guide's: svix verification and the app's own write, nothing
// remembered, so a Svix redelivery writes again. An app routes it in its http.ts
// (`http.route({ path: "/clerk-events", method: "POST", handler: receiveEvent })`); the bench routes
// it on a backend of its own (bench/lib/onEvent.ts), so the guide's http.ts stays as written.
import type { WebhookEvent } from "@clerk/backend";
import { v } from "convex/values";
import { Webhook } from "svix";
import { internal } from "./_generated/api";
import { httpAction, internalMutation } from "./_generated/server";

export const receiveEvent = httpAction(async (ctx, request) => {
  const payload = await request.text();
  const headers = {
    "svix-id": request.headers.get("svix-id")!,
    "svix-timestamp": request.headers.get("svix-timestamp")!,
    "svix-signature": request.headers.get("svix-signature")!,
  };
  let event: WebhookEvent;
  try {
    event = new Webhook(process.env.CLERK_WEBHOOK_SECRET!).verify(payload, headers) as unknown as WebhookEvent;
  } catch (error) {
    console.error("Error verifying webhook event", error);
    return new Response("Error occured", { status: 400 });
  }
  await ctx.runMutation(internal.events.audit, { svixId: headers["svix-id"], type: event.type });
  return new Response(null, { status: 200 });
});

export const audit = internalMutation({
  args: { svixId: v.string(), type: v.string() },
  handler: async (ctx, row) => {
    await ctx.db.insert("auditLog", row);
  },
});
