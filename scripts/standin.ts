/**
 * A loopback stand-in for a Convex deployment, just enough for the real CLI's `npx convex codegen`.
 *
 * The CLI's codegen asks a deployment two things: `get_config_hashes` (what is deployed, answered
 * with "nothing") and `start_push`, whose `analysis` (each component's functions with their
 * argument and return validators, its child components, its exports) is what the generated
 * `api.ts` and `component.ts` are written from. The stand-in computes that analysis the way the
 * backend does: it imports the bundles the CLI sends and reads each registered function's
 * validators, with object fields sorted by name, as the backend returns them. Nothing is deployed
 * and nothing leaves 127.0.0.1.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { brotliDecompressSync, gunzipSync } from "node:zlib";

type ModuleConfig = { path: string; source: string; environment: "isolate" | "node" };
type Definition = { definitionPath: string; definition: ModuleConfig | null; functions: ModuleConfig[] };
type ComponentDefinition = Definition & { definition: ModuleConfig; dependencies: string[] };
type StartPushRequest = {
  appDefinition: { definition: ModuleConfig | null; changedModules: ModuleConfig[] };
  componentDefinitions: ComponentDefinition[];
};
type Registered = {
  isQuery?: boolean;
  isMutation?: boolean;
  isAction?: boolean;
  isPublic?: boolean;
  isInternal?: boolean;
  exportArgs?: () => string;
  exportReturns?: () => string;
};
type AnalyzedFunction = {
  name: string;
  pos: null;
  udfType: "Query" | "Mutation" | "Action";
  visibility: { kind: "public" | "internal" };
  args: string | null;
  returns: string | null;
};
type Branch = { type: "branch"; branch: [string, Branch | { type: "leaf"; leaf: string }][] };

/** The backend returns validators with object fields in name order (a sorted map); so does this. */
export function sortValidator(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(sortValidator);
  if (json === null || typeof json !== "object") return json;
  const node = json as Record<string, unknown>;
  if (node.type === "object" && node.value && typeof node.value === "object") {
    const fields = Object.entries(node.value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { ...node, value: Object.fromEntries(fields.map(([k, v]) => [k, sortValidator(v)])) };
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === "value" && node.type === "literal" ? v : sortValidator(v)]));
}

const sortedJSON = (text: string | undefined): string | null => (text === undefined ? null : JSON.stringify(sortValidator(JSON.parse(text))));

/** Writes a definition's bundles to disk as ES modules, so they can be imported as the backend would run them. */
function writeBundles(dir: string, modules: ModuleConfig[]) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "package.json"), '{ "type": "module" }\n');
  for (const m of modules) {
    const file = path.join(dir, m.path);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, m.source);
  }
}

/** A component's `exports` tree: every public function, by module path, as the backend derives it. */
function exportTree(functions: Record<string, { functions: AnalyzedFunction[] }>): Branch {
  const root: Branch = { type: "branch", branch: [] };
  for (const [modulePath, analyzed] of Object.entries(functions)) {
    const segments = modulePath.replace(/\.js$/, "").split("/");
    for (const fn of analyzed.functions) {
      if (fn.visibility.kind !== "public") continue;
      let node = root;
      for (const segment of segments) {
        let child = node.branch.find(([name]) => name === segment)?.[1] as Branch | undefined;
        if (!child) {
          child = { type: "branch", branch: [] };
          node.branch.push([segment, child]);
        }
        node = child;
      }
      node.branch.push([fn.name, { type: "leaf", leaf: `_reference/function/${modulePath.replace(/\.js$/, "")}:${fn.name}` }]);
    }
  }
  return root;
}

/**
 * A definition's bundle imports each child's definition as `./_componentDeps/<base64url path>`;
 * the backend links it to that child's evaluated definition. Here it becomes a small module.
 */
function linkChildren(source: string, names: Map<string, string>): { source: string; stubs: ModuleConfig[] } {
  const stubs: ModuleConfig[] = [];
  const linked = source.replace(/(["'])\.\/_componentDeps\/([\w-]+)\1/g, (_match, quote: string, encoded: string) => {
    const childPath = Buffer.from(encoded, "base64url").toString("utf8");
    const defaultName = names.get(childPath);
    if (defaultName === undefined) throw new Error(`codegen stand-in: no definition for child component ${childPath}`);
    const stub = `_componentDeps/${encoded}.js`;
    stubs.push({ path: stub, environment: "isolate", source: `export default ${JSON.stringify({ componentDefinitionPath: childPath, defaultName })};\n` });
    return `${quote}./${stub}${quote}`;
  });
  return { source: linked, stubs };
}

async function analyzeDefinition(dir: string, def: Definition, isApp: boolean, names: Map<string, string>) {
  const definitionModules: ModuleConfig[] = [];
  if (def.definition) {
    const { source, stubs } = linkChildren(def.definition.source, names);
    definitionModules.push({ ...def.definition, path: "__definition__.js", source }, ...stubs);
  }
  writeBundles(dir, [...def.functions, ...definitionModules]);
  const functions: Record<string, { functions: AnalyzedFunction[]; httpRoutes: null; cronSpecs: null; sourceMapped: null }> = {};
  for (const m of def.functions) {
    // Shared chunks and configuration are not function modules.
    if (m.path.startsWith("_deps/") || m.path === "auth.config.js" || m.path === "schema.js" || m.environment !== "isolate") continue;
    const exports = (await import(pathToFileURL(path.join(dir, m.path)).href)) as Record<string, Registered>;
    const analyzed: AnalyzedFunction[] = [];
    for (const [name, fn] of Object.entries(exports)) {
      if (!fn || (typeof fn !== "function" && typeof fn !== "object")) continue;
      const udfType = fn.isQuery ? "Query" : fn.isMutation ? "Mutation" : fn.isAction ? "Action" : null;
      if (!udfType) continue;
      analyzed.push({
        name,
        pos: null,
        udfType,
        visibility: { kind: fn.isPublic ? "public" : "internal" },
        args: sortedJSON(fn.exportArgs?.()),
        returns: sortedJSON(fn.exportReturns?.()),
      });
    }
    functions[m.path] = { functions: analyzed, httpRoutes: null, cronSpecs: null, sourceMapped: null };
  }
  const evaluated = def.definition
    ? ((await import(pathToFileURL(path.join(dir, "__definition__.js")).href)) as { default: { export(): Record<string, unknown> } }).default.export()
    : { definitionType: { type: "app" }, childComponents: [], httpMounts: {}, exports: { type: "branch", branch: [] } };
  const { name, ...metadata } = evaluated;
  if (!isApp) names.set(def.definitionPath, String(name));
  return {
    definition: { ...metadata, path: def.definitionPath, exports: isApp ? metadata.exports : exportTree(functions) },
    schema: null,
    functions,
    udfConfig: { serverVersion: "1.0.0", importPhaseRngSeed: null, importPhaseUnixTimestamp: null },
  };
}

/** The `start_push` response: the analysis of the app and every component, nothing allocated. */
export async function startPushResponse(request: StartPushRequest) {
  const work = mkdtempSync(path.join(tmpdir(), "convex-standin-"));
  try {
    const analysis: Record<string, unknown> = {};
    const names = new Map<string, string>();
    const pending = [...request.componentDefinitions];
    let i = 0;
    // Children before parents: a definition is evaluated once every component it uses has a name.
    while (pending.length > 0) {
      const ready = pending.findIndex((c) => c.dependencies.every((d) => names.has(d)));
      if (ready < 0) throw new Error(`codegen stand-in: component dependency cycle among ${pending.map((c) => c.definitionPath).join(", ")}`);
      const [component] = pending.splice(ready, 1);
      analysis[component!.definitionPath] = await analyzeDefinition(path.join(work, String(++i)), component!, false, names);
    }
    const app = { definitionPath: "", definition: request.appDefinition.definition, functions: request.appDefinition.changedModules };
    analysis[""] = await analyzeDefinition(path.join(work, "app"), app, true, names);
    return {
      environmentVariables: {},
      externalDepsId: null,
      componentDefinitionPackages: {},
      appAuth: [],
      analysis,
      app: { definitionPath: "", componentPath: "", args: {}, childComponents: {}, httpRoutes: { httpModuleRoutes: null, mounts: [] }, exports: {} },
      schemaChange: { allocatedComponentIds: null, schemaIds: null },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const encoding = req.headers["content-encoding"];
  return (encoding === "br" ? brotliDecompressSync(raw) : encoding === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
}

/** Starts the stand-in on an ephemeral loopback port. `requests` lists the paths the CLI called. */
export async function startStandIn(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? "";
    requests.push(url);
    const reply = (status: number, json: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(json));
    };
    body(req)
      .then(async (text) => {
        if (url === "/api/get_config_hashes") return reply(200, { config: { functions: "convex" }, moduleHashes: [], nodeVersion: null });
        if (url === "/api/deploy2/start_push") return reply(200, await startPushResponse(JSON.parse(text) as StartPushRequest));
        return reply(404, { code: "NotFound", message: `the codegen stand-in does not answer ${url}` });
      })
      .catch((error: unknown) => reply(500, { code: "StandInError", message: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

// `npx tsx scripts/standin.ts` serves until stopped, for running the CLI's codegen by hand:
// CONVEX_SELF_HOSTED_URL=<printed url> CONVEX_SELF_HOSTED_ADMIN_KEY=any npx convex codegen
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { url } = await startStandIn();
  console.log(url);
}
