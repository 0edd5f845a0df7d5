/**
 * The live connection: chat, receipts, typing and notifications over the WebSocket API.
 *
 * Messages are stored once per `client_msg_id` by the server, so the client keeps every send
 * it has not seen acknowledged and sends it again, with the same id, after a reconnect: a
 * message is never lost to a dropped connection and never stored twice. Reconnects back off
 * exponentially with jitter; a refused token (expired after 15 minutes) reconnects with a
 * fresh one.
 */

/** A message as the API stores it. */
export interface ChatMessage {
  id: string;
  conversation_id: string;
  sender: string;
  text: string;
  client_msg_id: string;
  sent_at: string;
}

/** A frame the platform pushes (or the answer to one of ours). */
export type ServerFrame =
  | { type: "message"; message: ChatMessage }
  | { type: "ack"; client_msg_id: string; message: ChatMessage }
  | { type: "read"; conversation_id: string; user: string; up_to: string }
  | { type: "read_marked"; conversation: { id: string; unread: number } }
  | { type: "typing"; conversation_id: string; user: string }
  | { type: "notification"; notification: { id: string; kind: string; text: string; read: boolean; created_at: string; session?: string | null; conversation?: string | null } }
  | { type: "error"; action?: string; client_msg_id?: string; retry_after?: number; problem: { type: string; title: string; status: number; detail?: string } };

/** A send the server has not acknowledged yet. */
export interface PendingSend {
  action: "sendMessage";
  client_msg_id: string;
  text: string;
  conversation_id?: string;
  to_user_id?: string;
}

/** The part of the browser's WebSocket this class uses (tests pass a fake). */
export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
}

/** What the connection needs from its surroundings. */
export interface SocketDeps {
  /** The URL to connect to, with a valid token; null when signed out (then it stays closed). */
  url(): Promise<string | null>;
  open(url: string): SocketLike;
  setTimer(run: () => void, ms: number): unknown;
  clearTimer(timer: unknown): void;
  random(): number;
  newId(): string;
}

const OPEN = 1;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

/** Status shown to the member. */
export type LinkState = "connecting" | "open" | "offline";

/** The delay before reconnect attempt `attempt` (0-based): doubling, capped, with up to 50% jitter. */
export function backoff(attempt: number, random: () => number): number {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempt, 16));
  return Math.round(base / 2 + (base / 2) * random());
}

/** One live connection per signed-in tab. */
export class Realtime {
  private socket: SocketLike | null = null;
  private attempt = 0;
  private timer: unknown = null;
  private stopped = true;
  private readonly pending = new Map<string, PendingSend>();
  private readonly listeners = new Set<(frame: ServerFrame) => void>();
  private readonly stateListeners = new Set<(state: LinkState) => void>();
  state: LinkState = "offline";

  constructor(private readonly deps: SocketDeps) {}

  /** Connects (and keeps reconnecting until `stop`). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  /** Closes for good (sign-out); unacknowledged sends are dropped with the session. */
  stop(): void {
    this.stopped = true;
    this.pending.clear();
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.setState("offline");
  }

  /** Reconnects now, e.g. with a refreshed token. */
  reconnect(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    if (!this.stopped) void this.connect();
  }

  on(listener: (frame: ServerFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: (state: LinkState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Sends a message (queued while disconnected); returns its client id. */
  sendMessage(target: { conversation_id: string } | { to_user_id: string }, text: string): PendingSend {
    const send: PendingSend = { action: "sendMessage", client_msg_id: this.deps.newId(), text, ...target };
    this.pending.set(send.client_msg_id, send);
    this.write(send);
    return send;
  }

  /** Sends not yet acknowledged, oldest first. */
  unacknowledged(): PendingSend[] {
    return [...this.pending.values()];
  }

  /** Marks a conversation read (up to a message, or the latest). Dropped while offline: reading again resends it. */
  markRead(conversation_id: string, message_id?: string): void {
    this.write({ action: "markRead", conversation_id, ...(message_id ? { message_id } : {}) });
  }

  /** Tells the other member this one is typing. Dropped while offline. */
  typing(conversation_id: string): void {
    this.write({ action: "typing", conversation_id });
  }

  private write(frame: object): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(frame));
  }

  private setState(state: LinkState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private async connect(): Promise<void> {
    this.timer = null;
    this.setState("connecting");
    const url = await this.deps.url().catch(() => null);
    if (this.stopped) return;
    if (!url) {
      this.scheduleReconnect();
      return;
    }
    const socket = this.deps.open(url);
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.setState("open");
      // Resend, in order, what the last connection may have lost; the ids make it idempotent.
      for (const send of this.pending.values()) socket.send(JSON.stringify(send));
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket || typeof event.data !== "string") return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(event.data) as ServerFrame;
      } catch {
        return;
      }
      this.receive(frame);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleReconnect();
    };
    socket.onerror = () => {
      // The close event follows and reconnects.
    };
  }

  private receive(frame: ServerFrame): void {
    if (frame.type === "ack") this.pending.delete(frame.client_msg_id);
    if (frame.type === "error") {
      const kind = frame.problem.type;
      if (kind.endsWith(":token-expired") || kind.endsWith(":unauthenticated")) {
        // Reconnect with a fresh token; the send it refused stays pending and goes again.
        this.reconnect();
        return;
      }
      const refused = frame.client_msg_id ? this.pending.get(frame.client_msg_id) : undefined;
      if (refused && kind.endsWith(":rate-limited")) {
        // Sent too fast: it goes again, with the same id, when the limit allows.
        this.deps.setTimer(() => this.write(refused), (frame.retry_after ?? 1) * 1000);
      } else if (refused) {
        // Refused for good (blocked member, invalid text): a resend would not succeed.
        this.pending.delete(refused.client_msg_id);
      }
    }
    for (const listener of this.listeners) listener(frame);
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.setState("offline");
    const delay = backoff(this.attempt, this.deps.random);
    this.attempt += 1;
    this.timer = this.deps.setTimer(() => void this.connect(), delay);
  }
}
