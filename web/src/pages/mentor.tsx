import { useMemo, useState } from "preact/hooks";
import { api, call } from "../api/client";
import type { components } from "../api/schema";
import { Button, Field, FieldError, Loading, ProblemNote, formValues, useAction, useLoad } from "../components";
import { day, money, newId, rating, when } from "../lib/format";
import { navigate } from "../lib/router";
import { type Slot, bookableSlots, browserZone } from "../lib/slots";
import { seenCards } from "./find";

type User = components["schemas"]["PublicUserView"];
type ReportReason = components["schemas"]["ReportReason"];

const LENGTHS = [30, 45, 60, 90] as const;
const DAYS_AHEAD = 14;

/** A mentor's page: who they are, reviews, badges, and booking. */
export function MentorPage(props: { id: string }) {
  const [loaded, reload] = useLoad(
    () =>
      Promise.all([
        call(api().GET("/users/{id}", { params: { path: { id: props.id } } })),
        call(api().GET("/mentors/{id}/reviews", { params: { path: { id: props.id }, query: { limit: 10 } } })),
        call(api().GET("/users/{id}/badges", { params: { path: { id: props.id } } })),
      ]),
    [props.id],
  );
  return (
    <Loading loaded={loaded} retry={reload}>
      {([user, reviews, badges]) => (
        <article class="mentor">
          <header class="row">
            {user.avatar_url && <img class="avatar" src={user.avatar_url} alt="" width={72} height={72} />}
            <div>
              <h1>{user.name}</h1>
              {user.profile.headline && <p>{user.profile.headline}</p>}
              <p class="muted">
                {user.verified_mentor ? "Verified mentor" : "Not verified yet"} · {rating(user.mentor_stats.rating_sum, user.mentor_stats.rating_count)} ·{" "}
                {money(user.profile.price ?? null)} per hour
                {user.mentor_stats.median_response_minutes != null && ` · usually answers within ${user.mentor_stats.median_response_minutes} min`}
              </p>
            </div>
          </header>
          {user.profile.bio && <p class="bio">{user.profile.bio}</p>}
          <ul class="chips" aria-label="Skills">
            {(user.profile.skills ?? []).map((s) => (
              <li key={s.name}>
                {s.name} · level {s.level}
              </li>
            ))}
          </ul>
          {badges.badges.length > 0 && (
            <ul class="chips badges" aria-label="Badges">
              {badges.badges.map((b) => (
                <li key={b.badge} title={`Earned ${when(b.earned_at)}`}>
                  {b.badge.replace(/_/g, " ")}
                </li>
              ))}
            </ul>
          )}
          {user.verified_mentor && <BookingForm user={user} />}
          <section>
            <h2>Reviews</h2>
            {reviews.reviews.length === 0 ? (
              <p class="muted">No reviews yet.</p>
            ) : (
              <ul class="list">
                {reviews.reviews.map((r) => (
                  <li key={r.session}>
                    <strong>{"★".repeat(r.rating)}</strong> {r.text} <span class="muted">{when(r.created_at)}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <SafetyActions user={user} />
        </article>
      )}
    </Loading>
  );
}

function BookingForm(props: { user: User }) {
  const { user } = props;
  const [length, setLength] = useState<(typeof LENGTHS)[number]>(60);
  const [picked, setPicked] = useState<Slot | null>(null);
  // One key per booking attempt: a double click or a retry after a lost answer books once.
  const [key, setKey] = useState(newId);
  const learnerZone = browserZone();
  const slots = useMemo(
    () =>
      bookableSlots({
        windows: user.profile.availability ?? [],
        mentorZone: user.profile.timezone ?? "UTC",
        learnerZone,
        taken: seenCards.get(user.id)?.booked ?? [],
        now: Date.now(),
        days: DAYS_AHEAD,
        durationMinutes: length,
      }),
    [user, length],
  );
  const byDate = useMemo(() => {
    const groups = new Map<string, Slot[]>();
    for (const slot of slots) groups.set(slot.date, [...(groups.get(slot.date) ?? []), slot]);
    return [...groups.entries()];
  }, [slots]);

  const book = useAction(async (values: Record<string, string>) => {
    if (!picked) throw new Error("Pick a time first.");
    const booking = await call(
      api().POST("/sessions", {
        params: { header: { "Idempotency-Key": key } },
        body: {
          mentor_id: user.id,
          start: picked.start,
          duration_minutes: length,
          topic: values.topic ?? "",
          ...(values.message ? { message: values.message } : {}),
        },
      }),
    );
    setKey(newId());
    navigate(`/sessions/${booking.id}`);
  });

  return (
    <section aria-labelledby="book-title">
      <h2 id="book-title">Book a session</h2>
      <p class="muted">Times in your zone, {learnerZone}. The mentor confirms each request.</p>
      <div class="field">
        <label for="length">Length</label>
        <select id="length" value={length} onChange={(e) => setLength(Number((e.currentTarget as HTMLSelectElement).value) as 60)}>
          {LENGTHS.map((l) => (
            <option key={l} value={l}>
              {l} minutes
            </option>
          ))}
        </select>
      </div>
      {byDate.length === 0 ? (
        <p class="muted">No free time in the next {DAYS_AHEAD} days.</p>
      ) : (
        <div class="slots" role="group" aria-label="Free times">
          {byDate.map(([date, daySlots]) => (
            <fieldset key={date}>
              <legend>{day(date)}</legend>
              {daySlots.map((slot) => (
                <button
                  type="button"
                  key={slot.start}
                  class={picked?.start === slot.start ? "slot picked" : "slot"}
                  aria-pressed={picked?.start === slot.start}
                  onClick={() => setPicked(slot)}
                >
                  {slot.time}
                </button>
              ))}
            </fieldset>
          ))}
        </div>
      )}
      <FieldError problem={book.problem} name="start" />
      <form onSubmit={(e) => void book.run(formValues(e))} noValidate>
        <ProblemNote problem={book.problem} fields={["topic", "message", "start"]} />
        <Field label="What do you want to work on?" name="topic" maxLength={120} required problem={book.problem} />
        <Field label="A note for the mentor (optional)" name="message" maxLength={2000} problem={book.problem} />
        <Button type="submit" class="primary" busy={book.busy} disabled={!picked}>
          {picked ? `Request ${day(picked.date)} ${picked.time}` : "Pick a time"}
        </Button>
      </form>
    </section>
  );
}

function SafetyActions(props: { user: User }) {
  const [done, setDone] = useState<string | null>(null);
  const block = useAction(async () => {
    await call(api().PUT("/me/blocks/{id}", { params: { path: { id: props.user.id } } }));
    setDone(`${props.user.name} is blocked: neither of you can book or message the other.`);
  });
  const report = useAction(async (values: Record<string, string>) => {
    await call(
      api().POST("/users/{id}/report", {
        params: { path: { id: props.user.id } },
        body: { reason: (values.reason ?? "other") as ReportReason, details: values.details ?? "" },
      }),
    );
    setDone("Thank you. An admin will look at your report.");
  });
  return (
    <details class="safety">
      <summary>Report or block</summary>
      {done ? (
        <p class="note" role="status">
          {done}
        </p>
      ) : (
        <>
          <form onSubmit={(e) => void report.run(formValues(e))} noValidate>
            <ProblemNote problem={report.problem} fields={["reason", "details"]} />
            <div class="field">
              <label for="reason">Reason</label>
              <select id="reason" name="reason">
                {["harassment", "spam", "inappropriate", "fraud", "safety", "other"].map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
            </div>
            <Field label="What happened" name="details" problem={report.problem} />
            <Button type="submit" busy={report.busy}>
              Report
            </Button>
          </form>
          <ProblemNote problem={block.problem} />
          <Button class="danger" busy={block.busy} onClick={() => void block.run()}>
            Block {props.user.name}
          </Button>
        </>
      )}
    </details>
  );
}
