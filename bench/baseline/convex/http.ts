// The webhook as Convex's Clerk guide writes it ("Storing Users in the Convex Database"), with
// the same pattern for memberships and Clerk Billing's items; organization and payment attempt
// events fall to its `default` (ignored).
import { httpRouter } from "convex/server";
import type { WebhookEvent } from "@clerk/backend";
import { Webhook } from "svix";
import { internal } from "./_generated/api";
import { httpAction } from "./_generated/server";

const http = httpRouter();

http.route({
  path: "/clerk-users-webhook",
  method: "POST",
  handler: httpAction(async (ctx, request) => {
    const event = await validateRequest(request);
    if (!event) {
      return new Response("Error occured", { status: 400 });
    }
    switch (event.type) {
      case "user.created": // intentional fallthrough
      case "user.updated":
        await ctx.runMutation(internal.users.upsertFromClerk, { data: event.data });
        break;
      case "user.deleted": {
        const clerkUserId = event.data.id!;
        await ctx.runMutation(internal.users.deleteFromClerk, { clerkUserId });
        break;
      }
      // The same pattern applied to memberships (memberships.ts).
      case "organizationMembership.created": // intentional fallthrough
      case "organizationMembership.updated":
        await ctx.runMutation(internal.memberships.upsertFromClerk, { data: event.data });
        break;
      case "organizationMembership.deleted":
        await ctx.runMutation(internal.memberships.deleteFromClerk, { clerkMembershipId: event.data.id });
        break;
      // Clerk Billing by hand (billing.ts): every item an event carries, upserted as it comes.
      case "subscriptionItem.created": // intentional fallthrough
      case "subscriptionItem.updated":
      case "subscriptionItem.active":
      case "subscriptionItem.canceled":
      case "subscriptionItem.upcoming":
      case "subscriptionItem.ended":
      case "subscriptionItem.abandoned":
      case "subscriptionItem.incomplete":
      case "subscriptionItem.pastDue":
      case "subscriptionItem.freeTrialEnding":
        await ctx.runMutation(internal.billing.upsertItem, { data: event.data });
        break;
      case "subscription.created": // intentional fallthrough
      case "subscription.updated":
      case "subscription.active":
      case "subscription.pastDue":
        await ctx.runMutation(internal.billing.upsertSubscription, { data: event.data });
        break;
      default:
        console.log("Ignored Clerk webhook event", event.type);
    }
    return new Response(null, { status: 200 });
  }),
});

async function validateRequest(req: Request): Promise<WebhookEvent | null> {
  const payloadString = await req.text();
  const svixHeaders = {
    "svix-id": req.headers.get("svix-id")!,
    "svix-timestamp": req.headers.get("svix-timestamp")!,
    "svix-signature": req.headers.get("svix-signature")!,
  };
  const wh = new Webhook(process.env.CLERK_WEBHOOK_SECRET!);
  try {
    return wh.verify(payloadString, svixHeaders) as unknown as WebhookEvent;
  } catch (error) {
    console.error("Error verifying webhook event", error);
    return null;
  }
}

export default http;
