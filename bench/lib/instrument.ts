/**
 * Counts what Convex bills, by instrumenting convex-test rather than estimating:
 * - function calls: every registered function's `_handler` is wrapped as its module loads
 *   (convex-test runs `func._handler` for queries, mutations, actions and HTTP actions,
 *   top-level and nested, app and component alike);
 * - database work: the `Convex.asyncSyscall` / `Convex.syscall` entry points the Convex
 *   runtime calls into are wrapped, and every document a syscall returns or writes is
 *   counted and sized with Convex's own size functions, as convex-test's transaction
 *   metrics do (a patch, replace or delete also reads the document it changes).
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { convexToJson, getConvexSize, getDocumentSize, jsonToConvex, type Value } from "convex/values";

export type FunctionKind = "httpAction" | "query" | "mutation" | "action";

export type Counts = {
  /** Function executions, by kind and by where they ran (`app` or `component`). */
  calls: Record<string, number>;
  /** Index ranges queried (`db.query(...)` streams and `db.get`s). */
  indexRanges: number;
  docsRead: number;
  bytesRead: number;
  docsWritten: number;
  bytesWritten: number;
  /** Arguments plus results of nested calls (action -> mutation, app -> component), JSON bytes. */
  bytesBetweenFunctions: number;
  /** Documents read and written, by table (included in the totals above). */
  byTable: Record<string, { read: number; written: number }>;
};

export const emptyCounts = (): Counts => ({
  calls: {},
  indexRanges: 0,
  docsRead: 0,
  bytesRead: 0,
  docsWritten: 0,
  bytesWritten: 0,
  bytesBetweenFunctions: 0,
  byTable: {},
});

/** convex-test's ids are a counter followed by the table's name. */
const tableOf = (id: unknown) => (typeof id === "string" ? id.replace(/^[0-9]+/, "") : "?");
const tally = (counts: Counts, id: unknown, what: "read" | "written") => {
  const table = (counts.byTable[tableOf(id)] ??= { read: 0, written: 0 });
  table[what]++;
};

export const totalCalls = (counts: Counts) => Object.values(counts.calls).reduce((a, b) => a + b, 0);

// Counting is on only inside `measure`; the wrappers cost a null check otherwise.
let current: Counts | null = null;

/** Runs `fn` and returns what it cost. Not reentrant: the bench drives one request at a time. */
export async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; counts: Counts }> {
  if (current) throw new Error("measure() is not reentrant");
  const counts = emptyCounts();
  current = counts;
  try {
    return { result: await fn(), counts };
  } finally {
    current = null;
  }
}

type Loader = () => Promise<Record<string, unknown>>;

/**
 * An `import.meta.glob`-shaped module map of a Convex functions folder (what convex-test
 * takes), whose functions are counted. Skips tests, like Convex's bundler.
 */
export function instrumentedModules(dir: string, where: "app" | "component"): Record<string, Loader> {
  const modules: Record<string, Loader> = {};
  const walk = (sub: string) => {
    for (const entry of readdirSync(sub, { withFileTypes: true })) {
      const file = path.join(sub, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.ts$/.test(entry.name) && !/\.(test|d)\.ts$/.test(entry.name)) {
        // convex-test calls the loader on every function call: load once, as a bundle would
        // (tsx resolves even a cached `import()` through its loader thread, which would dominate).
        let loaded: Promise<Record<string, unknown>> | undefined;
        modules[file] = () => (loaded ??= import(pathToFileURL(file).href).then((module) => instrumentModule(module, where)));
      }
    }
  };
  walk(dir);
  return modules;
}

const instrumented = new WeakSet<object>();

type RegisteredFunction = {
  _handler: (...args: unknown[]) => unknown;
  isQuery?: boolean;
  isMutation?: boolean;
  isAction?: boolean;
  isHttp?: boolean;
};
type Router = { isRouter: true; getRoutes(): [string, string, RegisteredFunction][] };

function instrumentModule(module: Record<string, unknown>, where: "app" | "component") {
  for (const value of Object.values(module)) {
    if (isRouter(value)) for (const [, , handler] of value.getRoutes()) instrumentFunction(handler, where);
    else if (isRegistered(value)) instrumentFunction(value, where);
  }
  return module;
}

// Nesting depth of instrumented functions: the bench runs one request at a time, so a
// call made while another is running is a nested call (action -> mutation, app -> component).
let depth = 0;

function instrumentFunction(fn: RegisteredFunction, where: "app" | "component") {
  if (instrumented.has(fn)) return;
  instrumented.add(fn);
  const kind: FunctionKind = fn.isHttp ? "httpAction" : fn.isQuery ? "query" : fn.isMutation ? "mutation" : "action";
  const key = where === "app" ? kind : `${kind} (component)`;
  const handler = fn._handler;
  fn._handler = async function (this: unknown, ctx: unknown, args: unknown) {
    const counts = current;
    const nested = depth > 0;
    if (counts) counts.calls[key] = (counts.calls[key] ?? 0) + 1;
    depth++;
    try {
      const result = await handler.call(this, ctx, args);
      if (counts && nested) counts.bytesBetweenFunctions += jsonBytes(args) + jsonBytes(result);
      return result;
    } finally {
      depth--;
    }
  };
}

/** Bytes of a value as Convex sends it between functions (JSON of its Convex encoding). */
const jsonBytes = (value: unknown) => (value === undefined ? 0 : utf8Length(JSON.stringify(convexToJson(value as Value))));

const isRouter = (value: unknown): value is Router => typeof value === "object" && value !== null && (value as { isRouter?: unknown }).isRouter === true;
const isRegistered = (value: unknown): value is RegisteredFunction =>
  typeof value === "function" && typeof (value as { _handler?: unknown })._handler === "function";

type AsyncSyscall = (op: string, jsonArgs: string) => Promise<string>;
type Syscall = (op: string, jsonArgs: string) => string;

/**
 * Wraps the syscall entry points convex-test installs on `globalThis.Convex`
 * (after the first `convexTest()` call). Idempotent.
 */
export function instrumentSyscalls() {
  const convex = (globalThis as { Convex?: Record<string, unknown> }).Convex;
  if (!convex) throw new Error("instrumentSyscalls: call convexTest() first");
  if ((convex as { __benchInstrumented?: boolean }).__benchInstrumented) return;
  Object.defineProperty(convex, "__benchInstrumented", { value: true });
  wrapGetter<AsyncSyscall>(convex, "asyncSyscall", (inner) => async (op, jsonArgs) => {
    if (!current) return await inner(op, jsonArgs);
    const counts = current;
    const args = JSON.parse(jsonArgs);
    // A patch, replace or delete reads the document it changes (the backend's and
    // convex-test's metrics both count it): size it before it changes.
    const changed = CHANGES.has(op) ? await peek(inner, args.table, args.id) : undefined;
    const result = await inner(op, jsonArgs);
    if (changed !== undefined) read(counts, changed);
    await countAsync(counts, inner, op, args, result);
    return result;
  });
  wrapGetter<Syscall>(convex, "syscall", (inner) => (op, jsonArgs) => {
    const result = inner(op, jsonArgs);
    if (current && op === "1.0/queryStream") current.indexRanges++;
    return result;
  });
}

function wrapGetter<F extends object>(target: Record<string, unknown>, name: string, wrap: (inner: F) => F) {
  const descriptor = Object.getOwnPropertyDescriptor(target, name);
  const get = descriptor?.get;
  if (!get) throw new Error(`instrumentSyscalls: Convex.${name} is not the accessor convex-test installs`);
  const wrappers = new WeakMap<F, F>();
  Object.defineProperty(target, name, {
    configurable: true,
    get() {
      const inner = get.call(this) as F;
      let wrapper = wrappers.get(inner);
      if (!wrapper) wrappers.set(inner, (wrapper = wrap(inner)));
      return wrapper;
    },
  });
}

const CHANGES = new Set(["1.0/shallowMerge", "1.0/replace", "1.0/remove"]);

/** A document as the database holds it now, read past the counters. */
async function peek(syscall: AsyncSyscall, table: string | undefined, id: string): Promise<Value | null> {
  return jsonToConvex(JSON.parse(await syscall("1.0/get", JSON.stringify({ table, id }))));
}

function read(counts: Counts, doc: Value | null) {
  if (doc === null) return;
  counts.docsRead++;
  tally(counts, (doc as { _id?: unknown })._id, "read");
  counts.bytesRead += getDocumentSize(doc as Record<string, Value>);
}

async function countAsync(counts: Counts, syscall: AsyncSyscall, op: string, args: Record<string, any>, result: string) {
  // The new version's size, as convex-test's metrics count a write (a deletion writes 0 bytes).
  const written = async (table: string | undefined, id: string) => {
    const doc = await peek(syscall, table, id);
    counts.docsWritten++;
    tally(counts, id, "written");
    counts.bytesWritten += doc === null ? 0 : getConvexSize(doc);
  };
  switch (op) {
    case "1.0/get":
      counts.indexRanges++;
      read(counts, jsonToConvex(JSON.parse(result)));
      return;
    case "1.0/queryStreamNext": {
      const { value, done } = JSON.parse(result);
      if (!done) read(counts, jsonToConvex(value));
      return;
    }
    case "1.0/queryPage":
      counts.indexRanges++;
      for (const doc of JSON.parse(result).page) read(counts, jsonToConvex(doc));
      return;
    case "1.0/insert":
      await written(args.table, JSON.parse(result)._id);
      return;
    case "1.0/shallowMerge":
    case "1.0/replace":
      await written(args.table, args.id);
      return;
    case "1.0/remove":
      counts.docsWritten++;
      tally(counts, args.id, "written");
      return;
  }
}

const encoder = new TextEncoder();
const utf8Length = (text: string) => encoder.encode(text).length;
