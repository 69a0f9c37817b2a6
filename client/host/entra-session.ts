import { setTokenProvider } from "../api/client";
import { cachedTokens, createEntraSignIn, fetchEntraConfig, type EntraSignIn } from "./auth";
import { detectHost, type HostContext } from "./host";

/** Where Entra sign-in stands for this page. */
export type EntraState =
  | { status: "loading" }
  /** Entra ID is not configured on the server: local admins only. */
  | { status: "off"; host: HostContext }
  /** A browser without a Microsoft session for this app: show "Sign in with Microsoft". */
  | { status: "signed-out"; host: HostContext; mode: EntraSignIn["mode"] }
  | {
      status: "signed-in";
      host: HostContext;
      mode: EntraSignIn["mode"];
      account: { username: string; name: string | null } | null;
    }
  | { status: "error"; host: HostContext | null; message: string };

let state: EntraState = { status: "loading" };
let session: EntraSignIn | undefined;
let started: Promise<void> | undefined;
const listeners = new Set<() => void>();

function set(next: EntraState) {
  state = next;
  for (const listener of listeners) listener();
}

async function refresh(host: HostContext): Promise<void> {
  if (!session) return;
  // In a browser, a remembered account with a token means signed in; hosts always sign in silently.
  const signedIn =
    session.mode !== "popup" ||
    (session.account() !== null && (await session.getToken().catch(() => null)) !== null);
  set(
    signedIn
      ? { status: "signed-in", host, mode: session.mode, account: session.account() }
      : { status: "signed-out", host, mode: session.mode },
  );
}

/**
 * Starts Entra sign-in once per page: reads `/auth/config`, detects the host and installs the bearer
 * token source in the API client, so `/auth/me` and every later call carry the token.
 * @example await startEntraSession(); // then render the app
 */
export function startEntraSession(): Promise<void> {
  started ??= (async () => {
    let host: HostContext | null = null;
    try {
      host = await detectHost();
      const entra = await fetchEntraConfig();
      if (!entra) return set({ status: "off", host });
      session = await createEntraSignIn(entra, host);
      setTokenProvider(cachedTokens(session.getToken));
      await refresh(host);
    } catch (error) {
      set({
        status: "error",
        host,
        message: error instanceof Error ? error.message : "Sign-in with Microsoft could not start.",
      });
    }
  })();
  return started;
}

/** Browser: opens the Microsoft sign-in popup; resolves when signed in. */
export async function signInWithMicrosoft(loginHint?: string): Promise<void> {
  await startEntraSession();
  if (!session || state.status === "loading" || state.status === "off" || !state.host) {
    throw new Error("Sign-in with Microsoft is not configured on this server.");
  }
  await session.signIn(loginHint);
  await refresh(state.host);
}

/** Forgets this page's Microsoft tokens (the panel's sign-out calls it besides `/auth/logout`). */
export async function signOutOfMicrosoft(): Promise<void> {
  if (!session || state.status !== "signed-in") return;
  await session.signOut();
  setTokenProvider(cachedTokens(session.getToken));
  await refresh(state.host);
}

/** For `useSyncExternalStore`. */
export const entraStore = {
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  getSnapshot: (): EntraState => state,
};
