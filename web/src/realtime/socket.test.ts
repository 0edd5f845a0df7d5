import { describe, expect, it } from "vitest";
import { Realtime, type ServerFrame, type SocketLike, backoff } from "./socket";

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closed = false;
  onopen: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({} as CloseEvent);
  }
  push(frame: ServerFrame) {
    this.onmessage?.({ data: JSON.stringify(frame) } as MessageEvent);
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const timers: { run: () => void; ms: number }[] = [];
  let token = 0;
  let next = 0;
  const realtime = new Realtime({
    url: async () => `ws://test/dev?token=t${++token}`,
    open: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    setTimer: (run, ms) => timers.push({ run, ms }),
    clearTimer: () => {},
    random: () => 0.5,
    newId: () => `c-${++next}`,
  });
  const frames: ServerFrame[] = [];
  realtime.on((f) => frames.push(f));
  const settle = () => new Promise((r) => setTimeout(r, 0));
  /** Started, and the first connection open. */
  const connected = async () => {
    realtime.start();
    await settle();
    sockets[0]!.open();
  };
  return { realtime, sockets, timers, frames, settle, connected };
}

const message = (client: string, id: string) => ({
  id,
  conversation_id: "a-b",
  sender: "a",
  text: "hi",
  client_msg_id: client,
  sent_at: "2026-03-29T00:30:00Z",
});

describe("backoff", () => {
  it("doubles from half a second, stays under 30 s, and jitters within half of it", () => {
    expect(backoff(0, () => 0)).toBe(250);
    expect(backoff(0, () => 1)).toBe(500);
    expect(backoff(3, () => 1)).toBe(4000);
    expect(backoff(20, () => 1)).toBe(30_000);
    expect(backoff(20, () => 0)).toBe(15_000);
  });
});

describe("Realtime", () => {
  it("queues sends made while connecting and sends them once open", async () => {
    const h = harness();
    h.realtime.start();
    await h.settle();
    h.realtime.sendMessage({ to_user_id: "b" }, "hello");
    expect(h.sockets[0]!.sent).toHaveLength(0);
    h.sockets[0]!.open();
    expect(h.sockets[0]!.sent).toEqual([{ action: "sendMessage", client_msg_id: "c-1", text: "hello", to_user_id: "b" }]);
  });

  it("resends every unacknowledged message with its own id after a reconnect, and not the acknowledged ones", async () => {
    const h = harness();
    await h.connected();
    h.realtime.sendMessage({ conversation_id: "a-b" }, "one");
    h.realtime.sendMessage({ conversation_id: "a-b" }, "two");
    h.sockets[0]!.push({ type: "ack", client_msg_id: "c-1", message: message("c-1", "m1") });
    h.sockets[0]!.drop();
    expect(h.realtime.state).toBe("offline");
    expect(h.timers).toHaveLength(1);
    h.timers[0]!.run();
    await h.settle();
    expect(h.sockets).toHaveLength(2);
    expect(h.sockets[1]!.url).toBe("ws://test/dev?token=t2");
    h.sockets[1]!.open();
    expect(h.sockets[1]!.sent.map((f) => f.client_msg_id)).toEqual(["c-2"]);
    h.sockets[1]!.push({ type: "ack", client_msg_id: "c-2", message: message("c-2", "m2") });
    expect(h.realtime.unacknowledged()).toHaveLength(0);
  });

  it("backs off further after each failed attempt and starts over once connected", async () => {
    const h = harness();
    h.realtime.start();
    await h.settle();
    for (let i = 0; i < 3; i++) {
      h.sockets.at(-1)!.drop();
      h.timers.at(-1)!.run();
      await h.settle();
    }
    expect(h.timers.map((t) => t.ms)).toEqual([375, 750, 1500]);
    h.sockets.at(-1)!.open();
    h.sockets.at(-1)!.drop();
    expect(h.timers.at(-1)!.ms).toBe(375);
  });

  it("reconnects with a fresh token when the server says the token expired, keeping the refused send", async () => {
    const h = harness();
    await h.connected();
    h.realtime.sendMessage({ conversation_id: "a-b" }, "late");
    h.sockets[0]!.push({
      type: "error",
      action: "sendMessage",
      client_msg_id: "c-1",
      problem: { type: "urn:peerlearn:problem:token-expired", title: "Access token expired", status: 401 },
    });
    await h.settle();
    expect(h.sockets[0]!.closed).toBe(true);
    expect(h.sockets).toHaveLength(2);
    h.sockets[1]!.open();
    expect(h.sockets[1]!.sent.map((f) => f.client_msg_id)).toEqual(["c-1"]);
    expect(h.frames).toHaveLength(0);
  });

  it("drops a send refused for good, and passes the error on", async () => {
    const h = harness();
    await h.connected();
    h.realtime.sendMessage({ to_user_id: "b" }, "hi");
    h.sockets[0]!.push({
      type: "error",
      action: "sendMessage",
      client_msg_id: "c-1",
      problem: { type: "urn:peerlearn:problem:forbidden", title: "Forbidden", status: 403 },
    });
    expect(h.realtime.unacknowledged()).toHaveLength(0);
    expect(h.frames[0]!.type).toBe("error");
  });

  it("sends a rate-limited message again when the limit allows", async () => {
    const h = harness();
    await h.connected();
    h.realtime.sendMessage({ to_user_id: "b" }, "hi");
    h.sockets[0]!.push({
      type: "error",
      client_msg_id: "c-1",
      retry_after: 3,
      problem: { type: "urn:peerlearn:problem:rate-limited", title: "Too many", status: 429 },
    });
    expect(h.realtime.unacknowledged()).toHaveLength(1);
    expect(h.timers.at(-1)!.ms).toBe(3000);
    h.timers.at(-1)!.run();
    expect(h.sockets[0]!.sent).toHaveLength(2);
  });

  it("stops for good on sign-out", async () => {
    const h = harness();
    await h.connected();
    h.realtime.stop();
    expect(h.sockets[0]!.closed).toBe(true);
    h.sockets[0]!.drop();
    expect(h.timers).toHaveLength(0);
  });
});
