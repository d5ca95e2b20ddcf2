#!/usr/bin/env node
/** The package's command: `npx convex-clerk-users simulate ...` (see simulate.ts). */
import { simulate, USAGE } from "./simulate.js";

const [command, ...rest] = process.argv.slice(2);
if (command === "simulate") {
  process.exitCode = await simulate(rest, {
    env: process.env,
    fetch,
    out: process.stdout,
    err: process.stderr,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
} else if (command === undefined || command === "--help" || command === "-h") {
  process.stdout.write(USAGE);
} else {
  process.stderr.write(`Unknown command: ${command}\n\n${USAGE}`);
  process.exitCode = 2;
}
