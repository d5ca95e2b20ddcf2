import { defineComponent } from "convex/server";

const component = defineComponent("clerkUsers");

export default component;
