import { ClerkProvider, useAuth } from "@clerk/react";
import { ConvexReactClient } from "convex/react";
import { ConvexProviderWithClerk } from "convex/react-clerk";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";

const convexUrl = import.meta.env.VITE_CONVEX_URL;
const publishableKey = import.meta.env.VITE_CLERK_PUBLISHABLE_KEY;
const convex = convexUrl ? new ConvexReactClient(convexUrl) : null;

/** Clerk signs the user in; Convex gets Clerk's session token through Clerk's native Convex integration. */
function Root() {
  if (!convex || !publishableKey) return <MissingConfig />;
  return (
    <ClerkProvider publishableKey={publishableKey} afterSignOutUrl="/">
      <ConvexProviderWithClerk client={convex} useAuth={useAuth}>
        <App />
      </ConvexProviderWithClerk>
    </ClerkProvider>
  );
}

function MissingConfig() {
  return (
    <main>
      <h1>Almost there</h1>
      <p>
        This page needs a Convex deployment and a Clerk application. Put these in <code>.env.local</code> at the repository root:
      </p>
      <ul>
        <li>
          <code>VITE_CONVEX_URL</code> {convexUrl ? "✓" : "(missing: run npm run dev, whose convex dev writes it for you)"}
        </li>
        <li>
          <code>VITE_CLERK_PUBLISHABLE_KEY</code> {publishableKey ? "✓" : "(missing: Clerk dashboard → API keys)"}
        </li>
      </ul>
      <p className="hint">
        No accounts? <code>npm run demo</code> runs the whole flow offline.
      </p>
    </main>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
