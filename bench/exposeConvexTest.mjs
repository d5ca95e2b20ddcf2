// `tsx --import ./bench/exposeConvexTest.mjs bench/cost.ts`: convex-test's internals exported for the hash-index timing (bench/convexTestInternals.mjs).
import { register } from "node:module";

register("./convexTestInternals.mjs", import.meta.url);
