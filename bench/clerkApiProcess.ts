/**
 * The fake Clerk API of test/fixtures/clerkApi.ts, in a process of its own, for bench/sync.ts:
 * Clerk's servers are not the sync's machine, so the time they take to answer must not come
 * out of the thread that runs the sync's action and mutations.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { clerkUsers, startFakeClerkApi, type ApiRequest, type FakeClerkApiOptions } from "../test/fixtures/clerkApi";

type Setup = { users: number; rateLimit: FakeClerkApiOptions["rateLimit"] };
type Request = "log" | "close";

/** Starts the fake API with `users` users in a child process; `log()` fetches its request log. */
export async function startClerkApiProcess(setup: Setup) {
  const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(setup)], { execArgv: ["--import", "tsx"] });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      child.once("message", (message) => resolve(message as T));
      child.once("error", reject);
    });
  const ask = <T>(request: Request) => {
    const answer = next<T>();
    child.send(request);
    return answer;
  };
  const { url } = await next<{ url: string }>();
  return {
    url,
    log: () => ask<ApiRequest[]>("log"),
    close: async () => {
      await ask<null>("close");
      child.disconnect();
    },
  };
}

if (process.send && process.argv[2]) {
  const send = process.send.bind(process);
  const { users, rateLimit } = JSON.parse(process.argv[2]) as Setup;
  const api = await startFakeClerkApi({ users: clerkUsers(users), rateLimit });
  api.serializeAll();
  process.on("message", async (request: Request) => {
    if (request === "log") send(api.log);
    else {
      await api.close();
      send(null);
    }
  });
  send({ url: api.url });
}
