/**
 * Counts what Convex bills, by instrumenting convex-test rather than estimating:
 * - function calls: every registered function's `_handler` is wrapped as its module loads
 *   (convex-test runs `func._handler` for queries, mutations, actions and HTTP actions,
 *   top-level and nested, app and component alike);
 * - database work: the `Convex.asyncSyscall` / `Convex.syscall` entry points the Convex
 *   runtime calls into are wrapped, and every document a syscall returns or writes is
 *   counted and sized with Convex's own size functions, as convex-test's transaction
 *   metrics do (a patch, replace or delete also reads the document it changes);
 * - transactions: each mutation or query run from outside a mutation (from an action, an HTTP
 *   action or the test) is a transaction, and a function it calls joins it; its read set (the
 *   documents it got by id, the index ranges it streamed and how far) and its write set (each
 *   document's old and new version) are recorded for the conflict model (conflicts.ts).
 */
import { AsyncLocalStorage } from "node:async_hooks";
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
  /** Bytes read and written and index ranges queried, by table (included in the totals above). */
  byTableBytes: Record<string, TableBytes>;
};

export const TABLE_BYTES = ["bytesRead", "bytesWritten", "ranges"] as const;
export type TableBytes = Record<(typeof TABLE_BYTES)[number], number>;

export const emptyCounts = (): Counts => ({
  calls: {},
  indexRanges: 0,
  docsRead: 0,
  bytesRead: 0,
  docsWritten: 0,
  bytesWritten: 0,
  bytesBetweenFunctions: 0,
  byTable: {},
  byTableBytes: {},
});

/** convex-test's ids are a counter followed by the table's name. */
const tableOf = (id: unknown) => (typeof id === "string" ? id.replace(/^[0-9]+/, "") : "?");
const tableBytes = (counts: Counts, table: string) => (counts.byTableBytes[table] ??= { bytesRead: 0, bytesWritten: 0, ranges: 0 });
const tally = (counts: Counts, id: unknown, what: "read" | "written", bytes: number) => {
  const table = (counts.byTable[tableOf(id)] ??= { read: 0, written: 0 });
  table[what]++;
  tableBytes(counts, tableOf(id))[what === "read" ? "bytesRead" : "bytesWritten"] += bytes;
};
/** An index range queried, of `table`. */
const ranged = (counts: Counts, table: string) => {
  counts.indexRanges++;
  tableBytes(counts, table).ranges++;
};
/** The table a query reads. */
const tableOfQuery = (query: QueryJson) => (query.source.type === "FullTableScan" ? query.source.tableName : query.source.indexName.split(".")[0]!);

export const totalCalls = (counts: Counts) => Object.values(counts.calls).reduce((a, b) => a + b, 0);

/** Where a function runs: the app, or the (one) component the bench registers. */
export type Where = "app" | "component";

/**
 * An index range a transaction streamed: `range` is the query's `withIndex` bounds (Convex's
 * JSON of them, values decoded), over the index `index` of `table` (`by_creation_time` for a
 * table scan); `until` is the index key of the last document it took when it stopped before the
 * range's end (`.first()`, `.unique()` finding one, `.take(n)`): `stop` is the last document it
 * took ("start" if none), null when it read to the end (the conflict model keys it by the index).
 */
export type RangeRead = {
  where: Where;
  table: string;
  index: string;
  range: { type: "Eq" | "Gt" | "Gte" | "Lt" | "Lte"; fieldPath: string; value: Value | undefined }[];
  order: "asc" | "desc";
  stop: Record<string, Value> | "start" | null;
};
/** A document written: its version before (null for an insert) and after (null for a delete). */
export type DocWrite = { where: Where; table: string; id: string; old: Record<string, Value> | null; new: Record<string, Value> | null };
export type Transaction = {
  kind: "query" | "mutation";
  /** Documents read by id (`db.get`, and the read a patch, replace or delete makes of its document). */
  gets: { where: Where; id: string }[];
  ranges: RangeRead[];
  writes: DocWrite[];
};

// Counting is on only inside `measure`; the wrappers cost a null check otherwise.
let current: Counts | null = null;
let transactions: Transaction[] | null = null;

/**
 * Runs `fn` and returns what it cost, and the transactions it ran (in the order they started).
 * Not reentrant: the bench drives one request at a time.
 */
export async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; counts: Counts; transactions: Transaction[] }> {
  if (current) throw new Error("measure() is not reentrant");
  const counts = emptyCounts();
  const ran: Transaction[] = [];
  current = counts;
  transactions = ran;
  try {
    return { result: await fn(), counts, transactions: ran };
  } finally {
    current = null;
    transactions = null;
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

/** A module built outside a functions folder (a router assembled by the bench), its functions counted as `instrumentedModules` counts theirs. */
export function instrumentModule<M extends Record<string, unknown>>(module: M, where: "app" | "component"): M {
  for (const value of Object.values(module)) {
    if (isRouter(value)) for (const [, , handler] of value.getRoutes()) instrumentFunction(handler, where);
    else if (isRegistered(value)) instrumentFunction(value, where);
  }
  return module;
}

// Nesting depth of instrumented functions: the bench runs one request at a time, so a
// call made while another is running is a nested call (action -> mutation, app -> component).
let depth = 0;

/**
 * The function running, through its awaits (several may run at once: an action's Promise.all):
 * where it runs, and the transaction its database calls belong to (none in an action).
 */
type Frame = { where: Where; tx: Transaction | null };
const frames = new AsyncLocalStorage<Frame>();

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
    // A query or mutation called from a mutation joins its transaction; from anywhere else it is one.
    const outer = frames.getStore()?.tx ?? null;
    let tx: Transaction | null = null;
    if (kind === "query" || kind === "mutation") {
      tx = outer ?? { kind, gets: [], ranges: [], writes: [] };
      if (!outer) transactions?.push(tx);
    }
    depth++;
    try {
      const result = await frames.run({ where, tx }, () => handler.call(this, ctx, args));
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
    await countAsync(counts, inner, op, args, result, changed);
    return result;
  });
  wrapGetter<Syscall>(convex, "syscall", (inner) => (op, jsonArgs) => {
    const result = inner(op, jsonArgs);
    if (current && op === "1.0/queryStream") {
      const { query } = JSON.parse(jsonArgs);
      ranged(current, tableOfQuery(query));
      startRange(query, JSON.parse(result).queryId);
    }
    return result;
  });
}

/** The ranges being streamed, by where and convex-test's query id. */
const streaming = new Map<string, RangeRead>();

type QueryJson = {
  source:
    | { type: "FullTableScan"; tableName: string; order?: "asc" | "desc" }
    | { type: "IndexRange"; indexName: string; range: RangeRead["range"]; order?: "asc" | "desc" }
    | { type: "Search"; indexName: string };
};

/** The range a query reads, recorded in its transaction (a search reads its whole table, as far as this model goes). */
function rangeOf(query: QueryJson): RangeRead | null {
  const frame = frames.getStore();
  if (!frame?.tx) return null;
  const { source } = query;
  if (source.type === "FullTableScan")
    return { where: frame.where, table: source.tableName, index: "by_creation_time", range: [], order: source.order ?? "asc", stop: null };
  const [table, index] = source.indexName.split(".") as [string, string];
  if (source.type === "Search") return { where: frame.where, table, index: "by_creation_time", range: [], order: "asc", stop: null };
  const range = source.range.map((r) => ({ ...r, value: r.value === undefined ? undefined : jsonToConvex(r.value as never) }));
  return { where: frame.where, table, index, range, order: source.order ?? "asc", stop: null };
}

function startRange(query: QueryJson, queryId: number) {
  const range = rangeOf(query);
  if (!range) return;
  frames.getStore()!.tx!.ranges.push(range);
  // Until it reports done, it has read up to its last document (up to its start, before one).
  range.stop = "start";
  streaming.set(`${range.where}:${queryId}`, range);
}

/** A streamed document, or the end of the range: how far the range was read. */
function advanceRange(queryId: number, value: Value | null, done: boolean) {
  // Query ids count per database: the app's and the component's are told apart by where.
  const key = `${frames.getStore()?.where}:${queryId}`;
  const range = streaming.get(key);
  if (!range) return;
  if (done) {
    range.stop = null;
    streaming.delete(key);
  } else range.stop = value as Record<string, Value>;
}

/** Records a read or a write in the running transaction (none outside `measure`, or in an action). */
const recordGet = (id: string) => {
  const frame = frames.getStore();
  if (transactions && frame?.tx) frame.tx.gets.push({ where: frame.where, id });
};
const recordWrite = (table: string, id: string, old: Value | null, next: Value | null) => {
  const frame = frames.getStore();
  if (transactions && frame?.tx)
    frame.tx.writes.push({ where: frame.where, table, id, old: old as Record<string, Value> | null, new: next as Record<string, Value> | null });
};

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
  const bytes = getDocumentSize(doc as Record<string, Value>);
  counts.docsRead++;
  tally(counts, (doc as { _id?: unknown })._id, "read", bytes);
  counts.bytesRead += bytes;
}

async function countAsync(counts: Counts, syscall: AsyncSyscall, op: string, args: Record<string, any>, result: string, before: Value | null | undefined) {
  // The new version's size, as convex-test's metrics count a write (a deletion writes 0 bytes).
  const written = async (table: string | undefined, id: string) => {
    const doc = await peek(syscall, table, id);
    const bytes = doc === null ? 0 : getConvexSize(doc);
    counts.docsWritten++;
    tally(counts, id, "written", bytes);
    counts.bytesWritten += bytes;
    recordWrite(table ?? tableOf(id), id, before ?? null, doc);
  };
  // A patch, replace or delete reads its document (by id) before it writes it.
  if (before !== undefined) recordGet(args.id);
  switch (op) {
    case "1.0/get":
      ranged(counts, args.table ?? tableOf(args.id));
      recordGet(args.id);
      read(counts, jsonToConvex(JSON.parse(result)));
      return;
    case "1.0/queryStreamNext": {
      const { value, done } = JSON.parse(result);
      if (!done) read(counts, jsonToConvex(value));
      advanceRange(args.queryId, done ? null : jsonToConvex(value), done);
      return;
    }
    case "1.0/queryPage": {
      ranged(counts, tableOfQuery(args.query));
      // A page is recorded as its whole range: more than Convex records (it stops at the page's
      // end), so a conflict it shows may be one Convex would not see; none of the bursts page.
      const range = rangeOf(args.query);
      if (range) frames.getStore()!.tx!.ranges.push(range);
      for (const doc of JSON.parse(result).page) read(counts, jsonToConvex(doc));
      return;
    }
    case "1.0/insert":
      await written(args.table, JSON.parse(result)._id);
      return;
    case "1.0/shallowMerge":
    case "1.0/replace":
      await written(args.table, args.id);
      return;
    case "1.0/remove":
      counts.docsWritten++;
      tally(counts, args.id, "written", 0);
      recordWrite(args.table ?? tableOf(args.id), args.id, before ?? null, null);
      return;
  }
}

const encoder = new TextEncoder();
const utf8Length = (text: string) => encoder.encode(text).length;
