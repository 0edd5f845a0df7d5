import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, call } from "../api/client";
import { ApiError } from "../api/problem";
import { session } from "../api/session";
import { Button, Loading, ProblemNote, asProblem, useLoad } from "../components";
import type { Problem } from "../api/problem";
import { when } from "../lib/format";
import { useName } from "../lib/names";
import { Link } from "../lib/router";
import { useStore } from "../lib/store";
import { linkState, live } from "../realtime/live";
import type { ChatMessage } from "../realtime/socket";

/** A conversation's id: the two member ids in order, joined by `-` (as the API names it). */
export function conversationWith(me: string, other: string): string {
  return me < other ? `${me}-${other}` : `${other}-${me}`;
}

/** How long a "typing" indicator lasts without another typing frame. */
const TYPING_SHOWN_MS = 4000;
/** At most one typing frame per this long. */
const TYPING_EVERY_MS = 2500;

export function ChatPage(props: { conversation?: string }) {
  return (
    <section class="chat">
      <h1 class="sr-only">Messages</h1>
      <Conversations current={props.conversation} />
      {props.conversation ? <Thread key={props.conversation} id={props.conversation} /> : <p class="muted">Pick a conversation.</p>}
    </section>
  );
}

function Conversations(props: { current?: string | undefined }) {
  const [loaded, reload] = useLoad(() => call(api().GET("/conversations", { params: { query: { limit: 50 } } })), []);
  useEffect(() => live.on((f) => (f.type === "message" || f.type === "ack" || f.type === "read_marked") && reload()), []);
  return (
    <nav class="conversations" aria-label="Conversations">
      <Loading loaded={loaded} retry={reload}>
        {(list) =>
          list.conversations.length === 0 ? (
            <p class="muted">No conversations yet. You can message anyone you share a session or request with.</p>
          ) : (
            <ul>
              {list.conversations.map((c) => (
                <li key={c.id} aria-current={c.id === props.current ? "page" : undefined}>
                  <ConversationLine id={c.id} withId={c.with} preview={c.last_message.text} unread={c.unread} />
                </li>
              ))}
            </ul>
          )
        }
      </Loading>
    </nav>
  );
}

function ConversationLine(props: { id: string; withId: string; preview: string; unread: number }) {
  const name = useName(props.withId);
  return (
    <Link href={`/messages/${props.id}`}>
      <strong>{name}</strong> {props.unread > 0 && <span class="badge">{props.unread}</span>}
      <br />
      <span class="muted">{props.preview}</span>
    </Link>
  );
}

function Thread(props: { id: string }) {
  const me = useStore(session)!.user.id;
  const link = useStore(linkState);
  const other = props.id.split("-").find((part) => part !== me) ?? "";
  const otherName = useName(other);
  const [messages, setMessages] = useState<Map<string, ChatMessage>>(new Map());
  const [pending, setPending] = useState(live.unacknowledged());
  const [cursor, setCursor] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [typingUntil, setTypingUntil] = useState(0);
  const [readUpTo, setReadUpTo] = useState<string | null>(null);
  const [draft, setDraft] = useState("");
  const lastTyping = useRef(0);
  const end = useRef<HTMLDivElement>(null);

  const add = (list: ChatMessage[]) =>
    setMessages((m) => {
      const next = new Map(m);
      // Keyed by message id: a message pushed again (a retried send) shows once.
      for (const message of list) if (message.conversation_id === props.id) next.set(message.id, message);
      return next;
    });

  const loadPage = async (from: string | null) => {
    try {
      const page = await call(api().GET("/conversations/{id}/messages", { params: { path: { id: props.id }, query: { limit: 30, ...(from ? { cursor: from } : {}) } } }));
      add(page.messages);
      setCursor(page.next_cursor ?? null);
      setProblem(null);
    } catch (error) {
      // No message yet between the two: the conversation starts with the first send.
      if (!(error instanceof ApiError && error.problem.status === 404)) setProblem(asProblem(error));
    }
  };

  useEffect(() => {
    void loadPage(null);
    return live.on((frame) => {
      if (frame.type === "message" || frame.type === "ack") {
        add([frame.message]);
        setPending(live.unacknowledged());
        if (frame.message.sender !== me && frame.message.conversation_id === props.id) {
          setTypingUntil(0);
          live.markRead(props.id, frame.message.id);
        }
      } else if (frame.type === "typing" && frame.conversation_id === props.id && frame.user !== me) {
        setTypingUntil(Date.now() + TYPING_SHOWN_MS);
        setTimeout(() => setTypingUntil((t) => (t <= Date.now() ? 0 : t)), TYPING_SHOWN_MS + 50);
      } else if (frame.type === "read" && frame.conversation_id === props.id && frame.user !== me) {
        setReadUpTo(frame.up_to);
      } else if (frame.type === "error" && frame.action === "sendMessage") {
        setPending(live.unacknowledged());
        setProblem({ ...frame.problem, detail: frame.problem.detail ?? frame.problem.title });
      }
    });
  }, [props.id]);

  const sorted = useMemo(() => [...messages.values()].sort((a, b) => (a.id < b.id ? -1 : 1)), [messages]);
  const waiting = pending.filter((p) => p.conversation_id === props.id || p.to_user_id === other);

  useEffect(() => {
    end.current?.scrollIntoView?.({ block: "end" });
    const last = sorted.at(-1);
    if (last && last.sender !== me) live.markRead(props.id, last.id);
  }, [sorted.length, waiting.length]);

  const send = (event: Event) => {
    event.preventDefault();
    const text = draft.trim();
    if (!text) return;
    // To the member, not the conversation id: the first message starts the conversation.
    live.sendMessage({ to_user_id: other }, text);
    setPending(live.unacknowledged());
    setDraft("");
  };

  const onInput = (value: string) => {
    setDraft(value);
    if (Date.now() - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = Date.now();
      live.typing(props.id);
    }
  };

  const lastMine = [...sorted].reverse().find((m) => m.sender === me);
  return (
    <div class="thread">
      <header class="row">
        <h2 class="h3">{otherName}</h2>
        {link !== "open" && <span class="muted">({link === "connecting" ? "connecting…" : "offline: messages will send when you reconnect"})</span>}
      </header>
      <ProblemNote problem={problem} />
      {cursor && (
        <Button class="link" onClick={() => void loadPage(cursor)}>
          Older messages
        </Button>
      )}
      <ol class="messages" aria-live="polite" aria-label={`Messages with ${otherName}`}>
        {sorted.map((m) => (
          <li key={m.id} class={m.sender === me ? "mine" : "theirs"}>
            <p>{m.text}</p>
            <small class="muted">
              {when(m.sent_at)}
              {m.id === lastMine?.id && readUpTo !== null && readUpTo >= m.id && " · Seen"}
            </small>
          </li>
        ))}
        {waiting.map((p) => (
          <li key={p.client_msg_id} class="mine pending">
            <p>{p.text}</p>
            <small class="muted">Sending…</small>
          </li>
        ))}
      </ol>
      {typingUntil > Date.now() && <p class="muted typing">{otherName} is typing…</p>}
      <div ref={end} />
      <form class="composer row" onSubmit={send}>
        <label for="composer" class="sr-only">
          Message
        </label>
        <input id="composer" value={draft} maxLength={4000} autoComplete="off" onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)} placeholder={`Message ${otherName}`} />
        <Button type="submit" class="primary" disabled={!draft.trim()}>
          Send
        </Button>
      </form>
    </div>
  );
}

