import { OrganizationSwitcher, SignInButton, UserButton, useAuth } from "@clerk/react";
import { useMutation, useQuery } from "convex/react";
import { isClerkUsersError, type User } from "convex-clerk-users";
import { useCurrentUser } from "convex-clerk-users/react";
import { useState } from "react";
import { api } from "../convex/_generated/api";

/** One screen per state of the signed-in user's journey. */
export function App() {
  const { status, user } = useCurrentUser(api.messages.me);
  switch (status) {
    case "loading":
      return <p>Loading…</p>;
    case "signedOut":
      return (
        <main>
          <h1>convex-clerk-users example</h1>
          <p>Sign in with Clerk; Clerk's webhook then copies your user into Convex.</p>
          <SignInButton mode="modal" />
        </main>
      );
    case "notSynced":
      return <NotSynced />;
    case "ready":
      return <Dashboard user={user} />;
  }
}

/** Signed in, but Clerk's `user.created` webhook has not reached Convex yet. */
function NotSynced() {
  const post = useMutation(api.messages.post);
  const [error, setError] = useState<string | null>(null);
  return (
    <main>
      <Header />
      <p>Setting up your account… Clerk's webhook has not reached Convex yet. This page updates by itself when it does.</p>
      <p className="hint">
        Stuck here? Check the webhook endpoint in Clerk's dashboard (<code>https://&lt;deployment&gt;.convex.site/clerk-users-webhook</code>, events{" "}
        <code>user.*</code>, and for organizations <code>organization.*</code> and <code>organizationMembership.*</code>) and <code>CLERK_WEBHOOK_SECRET</code>{" "}
        in your Convex environment.
      </p>
      <p>
        {/* messages.post uses `withUser(..., { createIfMissing: true })`: it makes a provisional row from your token. */}
        <button onClick={() => post({ body: "Hello, first!" }).catch((e: unknown) => setError(explain(e)))}>Post anyway</button>
        {error && <span className="error">{error}</span>}
      </p>
    </main>
  );
}

function Dashboard({ user }: { user: User }) {
  // Clerk's `has()` on the client decides what to offer; the server checks again and has the last word.
  const { has } = useAuth();
  const isOrgAdmin = has?.({ role: "org:admin" }) ?? false;
  const isPro = has?.({ plan: "pro" }) ?? false;
  const mine = useQuery(api.messages.mine);
  const send = useMutation(api.messages.send);
  const sendLong = useMutation(api.messages.sendLong);
  const clear = useMutation(api.messages.clear);
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);
  const attempt = (call: () => Promise<unknown>) => {
    setError(null);
    call().catch((e: unknown) => setError(explain(e)));
  };

  return (
    <main>
      <Header />
      <section>
        <h2>Your synced row</h2>
        <dl>
          <dt>name</dt>
          <dd>{user.name ?? "—"}</dd>
          <dt>email</dt>
          <dd>{user.email ?? "—"}</dd>
          <dt>clerkId</dt>
          <dd>
            <code>{user.clerkId}</code>
          </dd>
          <dt>updatedAt</dt>
          <dd>{user.provisional ? "provisional: made from your session token, Clerk's webhook will replace it" : new Date(user.updatedAt).toLocaleString()}</dd>
        </dl>
      </section>

      <section>
        <h2>Messages</h2>
        <input value={body} onChange={(e) => setBody(e.target.value)} placeholder="Say something" />
        <button disabled={!body} onClick={() => attempt(() => send({ body }))}>
          Send
        </button>
        <p>
          <button disabled={!body} onClick={() => attempt(() => sendLong({ body: body.repeat(10) }))}>
            Send long message
          </button>
          <span className="hint">{isPro ? "Pro plan" : "Pro plan only: the server will answer FORBIDDEN"}</span>
        </p>
        <p>
          <button onClick={() => attempt(() => clear())}>Clear all messages</button>
          <span className="hint">{isOrgAdmin ? "you are an org admin" : "org admins only: the server will answer FORBIDDEN"}</span>
        </p>
        {error && <p className="error">{error}</p>}
        <ul>
          {mine?.map((m) => (
            <li key={m._id}>
              {m.pro && <strong>[Pro] </strong>}
              {m.body.length > 80 ? `${m.body.slice(0, 80)}…` : m.body}
            </li>
          ))}
        </ul>
        {mine?.length === 0 && <p className="hint">No messages from you yet.</p>}
      </section>

      {isOrgAdmin && <WebhookHealth />}
    </main>
  );
}

/** "Is my webhook working?", for org admins: the server checks the role again (clerk.health). */
function WebhookHealth() {
  const health = useQuery(api.clerk.health);
  if (health === undefined) return null;
  const { lastHour: h } = health;
  const rejected =
    Object.entries(h.rejected)
      .map(([status, n]) => `${n} × ${status}`)
      .join(", ") || "none";
  return (
    <section>
      <h2>Clerk webhook: {health.verdict}</h2>
      <p className={health.verdict === "ok" ? "hint" : "error"}>{health.advice}</p>
      <p className="hint">
        Last hour: {h.applied} applied, {h.duplicate} duplicate, {h.stale} stale, {h.ignored} ignored, {h.failed} failed; rejected {rejected}. Last delivery:{" "}
        {health.lastDeliveryAt === null ? "never" : new Date(health.lastDeliveryAt).toLocaleString()}.
      </p>
    </section>
  );
}

function Header() {
  return (
    <header>
      <h1>convex-clerk-users example</h1>
      <span>
        <OrganizationSwitcher /> <UserButton />
      </span>
    </header>
  );
}

/** The package's errors carry a machine-readable code: branch on it, never on the message. */
function explain(error: unknown): string {
  if (isClerkUsersError(error, "FORBIDDEN")) return `Forbidden: ${error.data.message}`;
  if (isClerkUsersError(error, "USER_NOT_FOUND")) return "Your account is still being set up; try again in a moment.";
  if (isClerkUsersError(error, "UNAUTHENTICATED")) return "Your session ended: sign in again.";
  return "Something went wrong.";
}
