/**
 * `npx convex codegen`, the real CLI (the `convex` in devDependencies), run with no deployment.
 *
 * The CLI's codegen asks a deployment for two things, `get_config_hashes` and `start_push`;
 * scripts/standin.ts answers both on a loopback port, computing `start_push`'s analysis from the
 * bundles the CLI sends. So every committed `_generated/` file is what the CLI itself writes, and a
 * contributor who runs `npx convex dev` against a real deployment sees no change in them.
 *
 * Writes, in order (each step needs the one before):
 *   1. src/component/_generated   `convex codegen --component-dir src/component`
 *   2. dist/                      `npm run build`, so the apps' `convex-clerk-users/convex.config` resolves
 *   3. example/convex/_generated  `convex codegen` (convex.json points at example/convex)
 *   4. bench/{baseline,component-app}/convex/_generated, the cost benchmark's two apps
 *
 *   npm run codegen                # write the files
 *   npm run codegen -- --check     # the CLI's --dry-run: fail if any committed file differs
 *   npm run codegen -- --app <dir> # codegen for another project (its own package.json and convex.json)
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { startStandIn } from "./standin.js";

const root = path.resolve(import.meta.dirname, "..");
/** The project's own CLI (a fresh app's may be another version), else this repo's. */
const convexBin = (cwd: string) => [cwd, root].map((dir) => path.join(dir, "node_modules/convex/bin/main.js")).find((bin) => existsSync(bin))!;

type Run = { cwd: string; args: string[]; label: string };

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    // Asynchronous on purpose: the stand-in answering the CLI lives in this process.
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) process.stderr.write(stdout + stderr);
      resolve({ code, stdout });
    });
  });
}

/** Runs the CLI's codegen against the stand-in. With `check`, returns the files it would change. */
async function codegen(url: string, { cwd, args, label }: Run, check: boolean): Promise<string[]> {
  const env = {
    ...process.env,
    // CI: no prompts and no crash reports sent anywhere. The empty values keep a contributor's
    // .env.local (CONVEX_DEPLOYMENT=...) from choosing their real deployment instead.
    CI: "1",
    CONVEX_DEPLOYMENT: "",
    CONVEX_DEPLOY_KEY: "",
    CONVEX_SELF_HOSTED_URL: url,
    CONVEX_SELF_HOSTED_ADMIN_KEY: "codegen-stand-in",
  };
  const { code, stdout } = await run(
    process.execPath,
    [convexBin(cwd), "codegen", "--typecheck", "disable", ...args, ...(check ? ["--dry-run"] : [])],
    cwd,
    env,
  );
  if (code !== 0) throw new Error(`codegen: \`convex codegen ${args.join(" ")}\` failed for ${label}`);
  return stdout
    .split("\n")
    .filter((line) => /^Command would (write|delete)/.test(line))
    .map((line) => {
      const file = path.relative(root, path.resolve(cwd, line.replace(/^Command would [a-z ]+: /, "")));
      return line.includes("delete") ? `${file} (would be deleted)` : file;
    });
}

/** A throwaway project whose convex.json points at an app folder in this repo (the benchmark's apps). */
function projectFor(appDir: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), "convex-codegen-"));
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "codegen-project", private: true, type: "module", dependencies: { convex: "*" } }));
  writeFileSync(path.join(dir, "convex.json"), JSON.stringify({ functions: path.relative(dir, appDir), codegen: { fileType: "ts" } }));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function build() {
  const { code } = await run(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], root);
  if (code !== 0) throw new Error("codegen: `npm run build` failed");
}

export async function main(argv: string[]): Promise<number> {
  const check = argv.includes("--check");
  const appIndex = argv.indexOf("--app");
  const standIn = await startStandIn();
  const temporary: { cleanup(): void }[] = [];
  try {
    const stale: string[] = [];
    if (appIndex >= 0) {
      stale.push(...(await codegen(standIn.url, { cwd: path.resolve(argv[appIndex + 1]!), args: [], label: argv[appIndex + 1]! }, check)));
    } else {
      stale.push(...(await codegen(standIn.url, { cwd: root, args: ["--component-dir", "src/component"], label: "src/component" }, check)));
      await build();
      stale.push(...(await codegen(standIn.url, { cwd: root, args: [], label: "example/convex" }, check)));
      for (const bench of ["bench/baseline/convex", "bench/component-app/convex"]) {
        if (!existsSync(path.join(root, bench))) continue;
        const project = projectFor(path.join(root, bench));
        temporary.push(project);
        stale.push(...(await codegen(standIn.url, { cwd: project.dir, args: [], label: bench }, check)));
      }
    }
    if (check && stale.length > 0) {
      // bench/component-app reaches the component through its source (bench/tsconfig.json paths), so the CLI regenerates it there too.
      console.error(`codegen: out of date with \`npx convex codegen\`, run \`npm run codegen\`:\n  ${[...new Set(stale)].join("\n  ")}`);
      return 1;
    }
    console.log(check ? "codegen: every _generated file is what `npx convex codegen` writes" : "codegen: written by `npx convex codegen`");
    return 0;
  } finally {
    for (const t of temporary) t.cleanup();
    await standIn.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) process.exitCode = await main(process.argv.slice(2));
