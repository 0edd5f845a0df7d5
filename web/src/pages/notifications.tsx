import { useEffect, useState } from "preact/hooks";
import { api, call } from "../api/client";
import type { components } from "../api/schema";
import { Button, Loading, ProblemNote, useAction, useLoad } from "../components";
import { when } from "../lib/format";
import { Link } from "../lib/router";
import { live, unread } from "../realtime/live";

type Notification = components["schemas"]["Notification"];

export function NotificationsPage() {
  const [items, setItems] = useState<Notification[]>([]);
  const [loaded, reload] = useLoad(() => call(api().GET("/notifications", { params: { query: { limit: 30 } } })), []);
  useEffect(() => {
    if (loaded.state !== "ready") return;
    setItems(loaded.data.notifications);
    unread.set(loaded.data.unread);
  }, [loaded]);
  // New ones arrive live at the top.
  useEffect(
    () =>
      live.on((frame) => {
        if (frame.type === "notification") setItems((list) => (list.some((n) => n.id === frame.notification.id) ? list : [frame.notification as Notification, ...list]));
      }),
    [],
  );
  const markRead = useAction(async (id: string) => {
    await call(api().POST("/notifications/{id}/read", { params: { path: { id } } }));
    setItems((list) => list.map((n) => (n.id === id ? { ...n, read: true } : n)));
    unread.update((n) => Math.max(0, n - 1));
  });
  const readAll = useAction(async () => {
    await call(api().POST("/notifications/read-all"));
    setItems((list) => list.map((n) => ({ ...n, read: true })));
    unread.set(0);
  });
  return (
    <section>
      <h1>Notifications</h1>
      <Button busy={readAll.busy} onClick={() => void readAll.run()}>
        Mark all read
      </Button>
      <ProblemNote problem={markRead.problem ?? readAll.problem} />
      <Loading loaded={loaded} retry={reload}>
        {() =>
          items.length === 0 ? (
            <p class="muted">Nothing yet.</p>
          ) : (
            <ul class="list" aria-label="Notifications">
              {items.map((n) => (
                <li key={n.id} class={n.read ? "read" : "unread"}>
                  <p>
                    {n.session ? <Link href={`/sessions/${n.session}`}>{n.text}</Link> : n.conversation ? <Link href={`/messages/${n.conversation}`}>{n.text}</Link> : n.text}
                  </p>
                  <small class="muted">{when(n.created_at)}</small>
                  {!n.read && (
                    <Button class="link" onClick={() => void markRead.run(n.id)}>
                      Mark read
                    </Button>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </Loading>
    </section>
  );
}
