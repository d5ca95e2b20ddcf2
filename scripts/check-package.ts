/**
 * The package as a user gets it: packed from a clean state, installed into fresh Convex apps
 * outside the repo, at the lowest `convex` the peer range allows and then at the current one.
 *
 * - `npm pack` with no `dist/` (so `prepare` must build it), then publint and attw on the tarball.
 * - A fresh app with `convex` at the peer range's floor: the install must be clean (no ERESOLVE,
 *   no overridden peer, `npm ls` valid). The README's code blocks are written into it verbatim,
 *   codegen is the real CLI's (scripts/codegen.ts), it typechecks, and its convex-test test runs.
 * - The real CLI bundles it as a deploy would (`npx convex deploy --write-push-request`, no
 *   deployment), over the README's app and over the example's functions, and the push request
 *   must carry every module of the component. A Node built-in in the default runtime, a deep
 *   import a dependency does not export, or a file left out of `files` fails here.
 * - The same app upgraded to the `convex` in devDependencies, bundled, typechecked and tested again.
 *
 *   npm run check:package            # KEEP_CHECK_DIR=1 keeps the apps
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  version: string;
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const run = (cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv) => {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  execFileSync(cmd, args, { cwd, stdio: "inherit", env: env ?? process.env });
};
/** Like `run`, but returns what it printed (stdout and stderr), still failing on a non-zero exit. */
const capture = (cmd: string, args: string[], cwd: string): string => {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  const out = execFileSync("sh", ["-c", `${[cmd, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ")} 2>&1`], { cwd, encoding: "utf8" });
  process.stdout.write(out);
  return out;
};

/** The lowest version a `^x.y.z` / `>=x.y.z` range allows. */
export function rangeFloor(range: string): string {
  const m = /^(?:\^|~|>=)?\s*(\d+\.\d+\.\d+)$/.exec(range.trim());
  if (!m) throw new Error(`check:package: cannot tell the floor of the range ${range}`);
  return m[1]!;
}

/** The README's ts/tsx blocks that name their file on the first line (`// convex/http.ts`, `// vitest.config.ts`). */
export function readmeFiles(readme: string): { file: string; code: string }[] {
  const blocks: { file: string; code: string }[] = [];
  for (const match of readme.matchAll(/```(ts|tsx)\n([\s\S]*?)```/g)) {
    const code = match[2]!;
    const file = /^\/\/ ((?:convex|src)\/[\w./-]+\.tsx?|vitest\.config\.ts)\n/.exec(code)?.[1];
    if (!file) throw new Error(`README block without a file name on its first line:\n${code.slice(0, 200)}`);
    blocks.push({ file, code });
  }
  return blocks;
}

/** `npm install` must neither override a peer nor leave `npm ls` invalid. */
function install(app: string, args: string[] = []) {
  const out = capture("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...args], app);
  if (/ERESOLVE|overriding peer dependency|invalid peer/i.test(out)) throw new Error(`check:package: npm install in ${app} was not clean (see above)`);
  run("npm", ["ls", "--all"], app);
}

/**
 * `npx convex deploy --write-push-request`: bundles the app and its components exactly as a deploy
 * would and writes the push request instead of sending it. The URL is never called.
 */
function bundle(project: string, out: string, componentModules: string[]) {
  run("npx", ["convex", "deploy", "-y", "--typecheck", "disable", "--write-push-request", out, "--push-all-modules"], project, {
    ...process.env,
    CI: "1",
    CONVEX_DEPLOYMENT: "",
    CONVEX_DEPLOY_KEY: "",
    CONVEX_SELF_HOSTED_URL: "http://127.0.0.1:9",
    CONVEX_SELF_HOSTED_ADMIN_KEY: "check-package",
  });
  const request = JSON.parse(readFileSync(`${out}.json`, "utf8")) as {
    componentDefinitions: { definitionPath: string; functions: { path: string }[] }[];
    appDefinition: { changedModules: { path: string }[] };
  };
  const component = request.componentDefinitions.find((c) => c.definitionPath.endsWith("node_modules/convex-clerk-users/dist/component"));
  if (!component) throw new Error(`check:package: the push request of ${project} has no convex-clerk-users component`);
  const bundled = new Set(component.functions.map((m) => m.path));
  const missing = componentModules.filter((m) => !bundled.has(m));
  if (missing.length > 0) throw new Error(`check:package: the component's push request lacks ${missing.join(", ")}`);
  console.log(
    `check:package: ${project} bundles, with the component's ${componentModules.length} modules and ${request.appDefinition.changedModules.length} app modules`,
  );
}

const work = mkdtempSync(path.join(tmpdir(), "convex-clerk-users-check-"));
try {
  // From a clean state: what a fresh clone's `npm pack` (or `npm publish`) builds through `prepare`.
  rmSync(path.join(root, "dist"), { recursive: true, force: true });
  run("npm", ["pack", "--pack-destination", work], root);
  const tarball = path.join(work, `convex-clerk-users-${pkg.version}.tgz`);
  const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
  for (const required of [
    "package/dist/client/index.js",
    "package/dist/component/convex.config.js",
    "package/dist/component/_generated/component.d.ts",
    "package/LICENSE",
  ]) {
    if (!files.includes(required)) throw new Error(`check:package: the tarball lacks ${required}`);
  }
  // Every function module of the component, as the CLI names them in a push request.
  const componentModules = files
    .filter((f) => /^package\/dist\/component\/(?!_generated\/).+\.js$/.test(f))
    .map((f) => f.slice("package/dist/component/".length))
    .filter((f) => !["convex.config.js", "schema.js"].includes(f));
  run("npx", ["publint", "--strict", tarball], root);
  run("npx", ["attw", tarball, "--profile", "esm-only"], root);

  const floor = rangeFloor(pkg.peerDependencies.convex!);
  const current = pkg.devDependencies.convex!;

  // A new Convex app, as `npm create convex` would leave it, plus what the README asks for.
  const app = path.join(work, "app");
  mkdirSync(path.join(app, "convex"), { recursive: true });
  const dev = pkg.devDependencies;
  writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify(
      {
        name: "fresh-convex-app",
        private: true,
        type: "module",
        dependencies: {
          convex: floor,
          "convex-helpers": pkg.peerDependencies["convex-helpers"],
          "convex-clerk-users": `file:${tarball}`,
          react: dev.react,
        },
        devDependencies: {
          typescript: dev.typescript,
          vitest: dev.vitest,
          "convex-test": dev["convex-test"],
          "@edge-runtime/vm": dev["@edge-runtime/vm"],
          "@types/react": dev["@types/react"],
          "@types/node": dev["@types/node"],
        },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    path.join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ESNext",
        lib: ["ES2021", "dom"],
        module: "ESNext",
        moduleResolution: "Bundler",
        jsx: "react-jsx",
        strict: true,
        // The strictest settings a user may have: the package's own sources must never be checked under them.
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: true,
        isolatedModules: true,
        allowSyntheticDefaultImports: true,
        noEmit: true,
        types: ["node", "vite/client"],
      },
      include: ["convex", "src"],
    }),
  );
  writeFileSync(path.join(app, "convex/schema.ts"), `import { defineSchema } from "convex/server";\nexport default defineSchema({});\n`);

  const blocks = readmeFiles(readFileSync(path.join(root, "README.md"), "utf8"));
  install(app);
  console.log(`check:package: convex ${floor} (the peer range's floor) installs cleanly`);

  // Blocks that rewrite a file (http.ts with hooks) are checked in stages, so each version compiles.
  const written = new Set<string>();
  const typecheck = () => {
    run("npx", ["tsx", path.join(root, "scripts/codegen.ts"), "--app", app], root);
    run("npx", ["tsc", "-p", "."], app);
  };
  for (const { file, code } of blocks) {
    if (written.has(file)) {
      typecheck();
      written.clear();
    }
    const target = path.join(app, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, code);
    written.add(file);
  }
  typecheck();
  for (const required of ["convex/posts.test.ts", "vitest.config.ts"]) {
    if (!existsSync(path.join(app, required))) throw new Error(`README lost its ${required} ("Testing your app")`);
  }
  run("npx", ["vitest", "run"], app);
  // The command the README's "Try it against your dev deployment" runs, from the installed package.
  const scenarios = capture("npx", ["convex-clerk-users", "simulate", "--list"], app);
  if (!/^organization\s/m.test(scenarios)) throw new Error("check:package: npx convex-clerk-users simulate --list does not name the scenarios");

  // The example's functions, in their own project beside the README's app (sharing its node_modules).
  const example = path.join(app, "example");
  mkdirSync(path.join(example, "convex"), { recursive: true });
  for (const entry of readdirSync(path.join(root, "example/convex"))) {
    if (entry === "_generated" || entry.endsWith(".test.ts")) continue;
    cpSync(path.join(root, "example/convex", entry), path.join(example, "convex", entry), { recursive: true });
  }
  writeFileSync(
    path.join(example, "package.json"),
    JSON.stringify({ name: "example-functions", private: true, type: "module", dependencies: { convex: "*" } }),
  );

  const bundleBoth = (label: string) => {
    bundle(app, path.join(work, `readme-app-${label}`), componentModules);
    bundle(example, path.join(work, `example-${label}`), componentModules);
  };
  bundleBoth(floor);

  // The convex most users install today.
  install(app, [`convex@${current}`]);
  typecheck();
  run("npx", ["vitest", "run"], app);
  bundleBoth(current);

  console.log(
    `check:package: ${blocks.length} README blocks compile and pass in a fresh app, and the real CLI bundles it and the example's functions, with convex ${floor} and ${current}`,
  );
} finally {
  if (!process.env.KEEP_CHECK_DIR) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
