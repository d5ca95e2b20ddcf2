import { defineSchema } from "convex/server";

// The users live in the component; this app has no tables of its own.
export default defineSchema({});
