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

/** Starts the connection while someone is signed in, and ends it when they sign out. */
export function startLive(url: string): void {
  wsUrl = url;
  let signedInAs: string | null = null;
  const follow = () => {
    const current = session.get();
    const who = current?.user.id ?? null;
    if (who === signedInAs) return;
    live.stop();
    signedInAs = who;
    if (who) live.start();
  };
  session.subscribe(follow);
  follow();
  live.on((frame) => {
    if (frame.type === "notification" && !frame.notification.read) unread.update((n) => n + 1);
  });
}
