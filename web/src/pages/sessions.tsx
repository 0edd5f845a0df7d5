import { useEffect, useState } from "preact/hooks";
import { api, call, download } from "../api/client";
import type { components } from "../api/schema";
import { session } from "../api/session";
import { Button, Field, Loading, ProblemNote, formValues, useAction, useLoad } from "../components";
import { config } from "../config";
import { money, stateLabel, when } from "../lib/format";
import { useName } from "../lib/names";
import { Link } from "../lib/router";
import { useStore } from "../lib/store";
import { live } from "../realtime/live";
import { conversationWith } from "./chat";

type Booking = components["schemas"]["Booking"];
type When = components["schemas"]["When"];

/** Less notice than this makes a cancellation or move late (the platform's booking policy). */
const LATE_NOTICE_HOURS = 12;
/** Paid sessions are refunded in full with this much notice. */
const FULL_REFUND_HOURS = 24;

export function SessionsPage() {
  const [tab, setTab] = useState<When>("upcoming");
  const [pages, setPages] = useState<Booking[]>([]);
  const [loaded, reload] = useLoad(() => call(api().GET("/sessions", { params: { query: { when: tab, limit: 20 } } })), [tab]);
  const [cursor, setCursor] = useState<string | null>(null);
  useEffect(() => {
    if (loaded.state === "ready") {
      setPages(loaded.data.sessions);
      setCursor(loaded.data.next_cursor ?? null);
    }
  }, [loaded]);
  // A booking notification (request, answer, cancellation) refreshes the list.
  useEffect(() => live.on((frame) => frame.type === "notification" && frame.notification.session && reload()), []);
  const more = useAction(async () => {
    if (!cursor) return;
    const page = await call(api().GET("/sessions", { params: { query: { when: tab, limit: 20, cursor } } }));
    setPages((p) => [...p, ...page.sessions]);
    setCursor(page.next_cursor ?? null);
  });
  return (
    <section>
      <h1>My sessions</h1>
      <div role="tablist" class="tabs" aria-label="Which sessions">
        <button role="tab" type="button" aria-selected={tab === "upcoming"} onClick={() => setTab("upcoming")}>
          Upcoming
        </button>
        <button role="tab" type="button" aria-selected={tab === "past"} onClick={() => setTab("past")}>
          Past
        </button>
      </div>
      <Loading loaded={loaded} retry={reload}>
        {() =>
          pages.length === 0 ? (
            <p class="muted">
              No {tab} sessions. <Link href="/find">Find a mentor</Link>
            </p>
          ) : (
            <ul class="cards" aria-label={`${tab} sessions`}>
              {pages.map((b) => (
                <li class="card" key={b.id}>
                  <SessionLine booking={b} />
                </li>
              ))}
            </ul>
          )
        }
      </Loading>
      <ProblemNote problem={more.problem} />
      {cursor && (
        <Button busy={more.busy} onClick={() => void more.run()}>
          Older sessions
        </Button>
      )}
    </section>
  );
}

function SessionLine(props: { booking: Booking }) {
  const me = useStore(session);
  const b = props.booking;
  const other = useName(me?.user.id === b.mentor ? b.learner : b.mentor);
  return (
    <Link href={`/sessions/${b.id}`}>
      <strong>{b.topic}</strong> with {other} · {when(b.slot.start)} · {b.slot.duration_minutes} min ·{" "}
      <span class={`state ${b.state}`}>{stateLabel(b.state)}</span>
    </Link>
  );
}

/** One session, with what the member may do with it now. */
export function SessionPage(props: { id: string }) {
  const me = useStore(session);
  const [loaded, reload, set] = useLoad(() => call(api().GET("/sessions/{id}", { params: { path: { id: props.id } } })), [props.id]);
  useEffect(() => live.on((frame) => frame.type === "notification" && frame.notification.session === props.id && reload()), [props.id]);
  return (
    <Loading loaded={loaded} retry={reload}>
      {(b) => <SessionDetail booking={b} me={me?.user.id ?? ""} onChange={set} />}
    </Loading>
  );
}

function SessionDetail(props: { booking: Booking; me: string; onChange: (b: Booking) => void }) {
  const { booking: b, me, onChange } = props;
  const mine = me === b.mentor ? "mentor" : "learner";
  const other = useName(mine === "mentor" ? b.learner : b.mentor);
  const otherId = mine === "mentor" ? b.learner : b.mentor;
  const start = Date.parse(b.slot.start);
  const end = start + b.slot.duration_minutes * 60_000;
  const now = Date.now();
  const hoursLeft = (start - now) / 3_600_000;
  const held = b.state === "accepted" || b.state === "confirmed";
  const act = useAction(async (kind: "accept" | "reject" | "complete" | "no-show" | "reschedule/accept" | "reschedule/decline") => {
    const path = `/sessions/{id}/${kind}` as "/sessions/{id}/accept";
    onChange(await call(api().POST(path, { params: { path: { id: b.id } } })));
  });
  const cancel = useAction(async (values: Record<string, string>) => {
    onChange(await call(api().POST("/sessions/{id}/cancel", { params: { path: { id: b.id } }, body: values.reason ? { reason: values.reason } : {} })));
  });
  const ics = useAction(async () => {
    const blob = await download(`/sessions/${b.id}/calendar.ics`);
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = `peerlearn-${b.id}.ics`;
    a.click();
    URL.revokeObjectURL(url);
  });
  return (
    <article>
      <h1>{b.topic}</h1>
      <p>
        With <Link href={mine === "learner" ? `/mentors/${otherId}` : `/messages/${conversationWith(me, otherId)}`}>{other}</Link> · {when(b.slot.start)} · {b.slot.duration_minutes} minutes ·{" "}
        <span class={`state ${b.state}`} data-testid="session-state">
          {stateLabel(b.state)}
        </span>
      </p>
      {b.message && <blockquote>{b.message}</blockquote>}
      {b.price_cents ? <p>Price: {money(b.price_cents)}{b.pay_by && b.state === "accepted" && ` · pay by ${when(b.pay_by)}`}</p> : null}
      {b.cancellation && (
        <p class="note">
          Cancelled by the {b.cancellation.by} {when(b.cancellation.at)}
          {b.cancellation.late && " (late)"}
          {b.cancellation.reason && `: ${b.cancellation.reason}`}
        </p>
      )}
      {b.meeting_link && held && (
        <p>
          <a class="button primary" href={b.meeting_link} target="_blank" rel="noopener noreferrer">
            Join the video call
          </a>
        </p>
      )}
      <ProblemNote problem={act.problem} />
      <div class="row">
        {b.state === "requested" && mine === "mentor" && (
          <>
            <Button class="primary" busy={act.busy} onClick={() => void act.run("accept")}>
              Accept
            </Button>
            <Button busy={act.busy} onClick={() => void act.run("reject")}>
              Decline
            </Button>
          </>
        )}
        {held && now >= start && (
          <>
            <Button busy={act.busy} onClick={() => void act.run("complete")}>
              Mark completed
            </Button>
            <Button busy={act.busy} onClick={() => void act.run("no-show")}>
              {other} did not come
            </Button>
          </>
        )}
        {b.proposal && b.proposal.by !== mine && (
          <>
            <span>
              {other} proposes {when(b.proposal.slot.start)} ({b.proposal.slot.duration_minutes} min)
            </span>
            <Button busy={act.busy} onClick={() => void act.run("reschedule/accept")}>
              Accept new time
            </Button>
            <Button busy={act.busy} onClick={() => void act.run("reschedule/decline")}>
              Keep the old time
            </Button>
          </>
        )}
        {held && (
          <Button busy={ics.busy} onClick={() => void ics.run()}>
            Add to calendar (.ics)
          </Button>
        )}
        <Link class="button" href={`/messages/${conversationWith(me, otherId)}`}>
          Message {other}
        </Link>
      </div>
      <ProblemNote problem={ics.problem} />
      {mine === "learner" && b.state === "accepted" && (b.price_cents ?? 0) > 0 && <Payment booking={b} onChange={onChange} />}
      {(b.state === "requested" || held) && now < end && (
        <>
          {held && now < start && <Reschedule booking={b} onChange={onChange} />}
          <details class="cancel">
            <summary>Cancel this session</summary>
            <p class="muted" data-testid="notice-rule">
              {b.state === "requested"
                ? "Withdrawing a request is never late."
                : hoursLeft < LATE_NOTICE_HOURS
                  ? `It starts in less than ${LATE_NOTICE_HOURS} hours: cancelling now counts as a late cancellation.`
                  : `Cancelling at least ${LATE_NOTICE_HOURS} hours before the start is on time.`}
              {(b.price_cents ?? 0) > 0 &&
                ` Paid sessions are refunded in full with ${FULL_REFUND_HOURS} hours' notice; later, ${b.late_cancel_refund_percent ?? 0}% (the mentor's policy).`}
            </p>
            <form onSubmit={(e) => void cancel.run(formValues(e))} noValidate>
              <ProblemNote problem={cancel.problem} fields={["reason"]} />
              <Field label="Reason (optional, the other side reads it)" name="reason" maxLength={500} problem={cancel.problem} />
              <Button type="submit" class="danger" busy={cancel.busy}>
                Cancel session
              </Button>
            </form>
          </details>
        </>
      )}
      {(b.state === "completed" || b.state === "no_show") && <ReviewForm booking={b} />}
    </article>
  );
}

function Reschedule(props: { booking: Booking; onChange: (b: Booking) => void }) {
  const move = useAction(async (values: Record<string, string>) => {
    const start = values.start ? new Date(values.start).toISOString().replace(".000Z", "Z") : "";
    props.onChange(
      await call(
        api().POST("/sessions/{id}/reschedule", {
          params: { path: { id: props.booking.id } },
          body: { start, duration_minutes: props.booking.slot.duration_minutes as 60 },
        }),
      ),
    );
  });
  return (
    <details>
      <summary>Propose another time</summary>
      <form onSubmit={(e) => void move.run(formValues(e))} noValidate>
        <ProblemNote problem={move.problem} fields={["start"]} />
        <Field label="New start (your time)" name="start" type="datetime-local" step={900} problem={move.problem} />
        <Button type="submit" busy={move.busy}>
          Propose
        </Button>
      </form>
    </details>
  );
}

function ReviewForm(props: { booking: Booking }) {
  const [done, setDone] = useState(false);
  const review = useAction(async (values: Record<string, string>) => {
    await call(
      api().POST("/sessions/{id}/review", {
        params: { path: { id: props.booking.id } },
        body: { rating: Number(values.rating), ...(values.text ? { text: values.text } : {}) },
      }),
    );
    setDone(true);
  });
  if (done) return <p class="note" role="status">Thank you for your review. It shows once both of you have reviewed, or after a few days.</p>;
  return (
    <form onSubmit={(e) => void review.run(formValues(e))} noValidate aria-label="Review">
      <h2>How was it?</h2>
      <ProblemNote problem={review.problem} fields={["rating", "text"]} />
      <fieldset class="field stars">
        <legend>Rating</legend>
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n}>
            <input type="radio" name="rating" value={n} defaultChecked={n === 5} /> {n}★
          </label>
        ))}
      </fieldset>
      <Field label="A few words (optional)" name="text" maxLength={2000} problem={review.problem} />
      <Button type="submit" class="primary" busy={review.busy}>
        Send review
      </Button>
    </form>
  );
}

interface StripeLike {
  elements(): { create(kind: "card"): { mount(el: HTMLElement): void } };
  confirmCardPayment(secret: string, data: object): Promise<{ error?: { message?: string } }>;
}

/** The test payment methods the local Stripe stand-in knows (Stripe's own test ids). */
const TEST_CARDS: [string, string][] = [
  ["pm_card_visa", "Visa 4242 (succeeds)"],
  ["pm_card_chargeDeclined", "Declined card"],
];

/**
 * Confirms the PaymentIntent from the page, as Stripe.js does (the publishable key and the
 * intent's client secret; the secret key never reaches the browser), against the local
 * Stripe stand-in with a test payment method.
 */
async function confirmWithStandIn(base: string, publishable: string, secret: string, method: string): Promise<void> {
  const intent = secret.split("_secret_")[0];
  const body = new URLSearchParams({ key: publishable, client_secret: secret, payment_method: method });
  const response = await fetch(`${base.replace(/\/$/, "")}/v1/payment_intents/${intent}/confirm`, { method: "POST", body });
  const answer = (await response.json().catch(() => ({}))) as { error?: { message?: string }; status?: string };
  if (!response.ok || answer.error) throw new Error(answer.error?.message ?? `The card was not accepted (${response.status}).`);
}

/** Pays an accepted session: Stripe.js where a publishable key is configured, the local stand-in in dev. */
function Payment(props: { booking: Booking; onChange: (b: Booking) => void }) {
  const { stripe_publishable_key: key, stripe_js: src, stripe_stand_in: standIn } = config();
  const [stripe, setStripe] = useState<StripeLike | null>(null);
  const [card, setCard] = useState<object | null>(null);
  const [testCard, setTestCard] = useState(TEST_CARDS[0]![0]);
  const [paid, setPaid] = useState(false);
  useEffect(() => {
    if (!key || !src || standIn) return;
    const script = document.createElement("script");
    script.src = src;
    script.onload = () => {
      const factory = (window as unknown as { Stripe?: (key: string) => StripeLike }).Stripe;
      if (!factory) return;
      const s = factory(key);
      const element = s.elements().create("card");
      const target = document.getElementById("card-element");
      if (target) element.mount(target);
      setStripe(s);
      setCard(element);
    };
    document.head.append(script);
    return () => script.remove();
  }, [key, src, standIn]);
  const pay = useAction(async () => {
    const intent = await call(api().POST("/sessions/{id}/payment", { params: { path: { id: props.booking.id } } }));
    if (standIn && key) {
      await confirmWithStandIn(standIn, key, intent.client_secret, testCard);
    } else {
      if (!stripe || !card) throw new Error("The card form did not load; reload the page.");
      const result = await stripe.confirmCardPayment(intent.client_secret, { payment_method: { card } });
      if (result.error) throw new Error(result.error.message ?? "The card was declined.");
    }
    setPaid(true);
    props.onChange(intent.session);
    // Stripe's webhook confirms the session a moment later; follow it here.
    for (let i = 0; i < 30; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const now = await call(api().GET("/sessions/{id}", { params: { path: { id: props.booking.id } } }));
      if (now.state !== "accepted") {
        props.onChange(now);
        return;
      }
    }
  });
  if (!key) return <p class="muted">Card payments are not configured here.</p>;
  return (
    <section aria-labelledby="pay-title">
      <h2 id="pay-title">Pay {money(props.booking.price_cents ?? 0)}</h2>
      {standIn ? (
        <div class="field">
          <label for="test-card">Test card (local Stripe stand-in)</label>
          <select id="test-card" value={testCard} onChange={(e) => setTestCard((e.currentTarget as HTMLSelectElement).value)}>
            {TEST_CARDS.map(([id, label]) => (
              <option key={id} value={id}>
                {label}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <div id="card-element" class="card-input" />
      )}
      <ProblemNote problem={pay.problem} />
      {paid ? (
        <p class="note" role="status">
          Paid. The session is confirmed as soon as Stripe tells us the money arrived.
        </p>
      ) : (
        <Button class="primary" busy={pay.busy} onClick={() => void pay.run()}>
          Pay now
        </Button>
      )}
    </section>
  );
}
