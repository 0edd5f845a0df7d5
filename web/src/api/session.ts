import type { components } from "./schema";
import { Store } from "../lib/store";

type SignedIn = components["schemas"]["SignedInView"];
/** The signed-in member as the API describes them. */
export type Account = components["schemas"]["AccountView"];

/** A signed-in member's tokens, kept across reloads. */
export interface Session {
  access: string;
  refresh: string;
  /** When the access token expires, in ms since the epoch (by this browser's clock). */
  expiresAt: number;
  user: Account;
}

const KEY = "peerlearn.session";

function read(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

/** The current session (null when signed out); every tab shares it through localStorage. */
export const session = new Store<Session | null>(typeof localStorage === "undefined" ? null : read());

if (typeof window !== "undefined") {
  // Another tab signed in, refreshed or signed out.
  window.addEventListener("storage", (event) => {
    if (event.key === KEY) session.set(read());
  });
}

/** Keeps a new sign-in (from any sign-in route or a refresh). */
export function signedIn(view: SignedIn, now = Date.now()): Session {
  const next: Session = {
    access: view.access_token,
    refresh: view.refresh_token,
    expiresAt: now + view.expires_in * 1000,
    user: view.user,
  };
  localStorage.setItem(KEY, JSON.stringify(next));
  session.set(next);
  return next;
}

/** Replaces the stored account (after GET /me or a profile change). */
export function accountChanged(user: Account): void {
  const current = session.get();
  if (!current) return;
  const next = { ...current, user };
  localStorage.setItem(KEY, JSON.stringify(next));
  session.set(next);
}

/** Forgets the session in this browser. */
export function signedOut(): void {
  localStorage.removeItem(KEY);
  session.set(null);
}

/** Re-reads storage: another tab may have refreshed while this one waited for the lock. */
export function stored(): Session | null {
  return read();
}

/** Whether the member has a role. */
export function hasRole(s: Session | null, role: "learner" | "mentor" | "admin"): boolean {
  return !!s?.user.roles.includes(role);
}
