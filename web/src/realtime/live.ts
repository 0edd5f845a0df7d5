import { refresh } from "../api/client";
import { session } from "../api/session";
import { newId } from "../lib/format";
import { Store } from "../lib/store";
import { type LinkState, Realtime } from "./socket";

/** Seconds of token life a new connection needs; below it the client refreshes first. */
const MIN_TOKEN_MS = 60_000;

let wsUrl = "";

/** The tab's live connection. */
export const live = new Realtime({
  async url() {
    let current = session.get();
    if (!current) return null;
    if (current.expiresAt - Date.now() < MIN_TOKEN_MS) current = await refresh(current);
    return current ? `${wsUrl}?token=${encodeURIComponent(current.access)}` : null;
  },
  open: (url) => new WebSocket(url),
  setTimer: (run, ms) => setTimeout(run, ms),
  clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
  random: Math.random,
  newId,
});

/** Connected, connecting or offline: shown in the header. */
export const linkState = new Store<LinkState>("offline");
live.onState((state) => linkState.set(state));

/** Unread notifications (the bell). */
export const unread = new Store<number>(0);

/**
 * Starts the connection while someone is signed in, and ends it when they sign out. A
 * connection lives no longer than the access token it opened with (the server refuses its
 * frames and skips it for pushes after that), so it reconnects with each new token, and
 * renews the token itself shortly before expiry when no request did.
 */
export function startLive(url: string): void {
  wsUrl = url;
  let signedInAs: string | null = null;
  let token: string | null = null;
  let renew: ReturnType<typeof setTimeout> | undefined;
  const follow = () => {
    const current = session.get();
    const who = current?.user.id ?? null;
    clearTimeout(renew);
    // The refresh changes the session, and the change below reconnects with the new token.
    if (current) renew = setTimeout(() => void refresh(current), Math.max(0, current.expiresAt - Date.now() - MIN_TOKEN_MS - 5000));
    if (who === signedInAs) {
      if (who && current?.access !== token) live.reconnect();
      token = current?.access ?? null;
      return;
    }
    live.stop();
    signedInAs = who;
    token = current?.access ?? null;
    if (who) live.start();
  };
  session.subscribe(follow);
  follow();
  live.on((frame) => {
    if (frame.type === "notification" && !frame.notification.read) unread.update((n) => n + 1);
  });
}
