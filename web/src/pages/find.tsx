import { useEffect, useRef, useState } from "preact/hooks";
import { api, call } from "../api/client";
import type { components } from "../api/schema";
import { Button, Field, Loading, ProblemNote, asProblem, formValues, useLoad } from "../components";
import type { Problem } from "../api/problem";
import { money, rating } from "../lib/format";
import { Link } from "../lib/router";

type Card = components["schemas"]["MentorCard"];
type Match = components["schemas"]["Match"];
type Sort = components["schemas"]["Sort"];

/** Mentor cards seen in results, so a mentor's page knows their confirmed sessions (not free time). */
export const seenCards = new Map<string, Card>();

export function FindPage() {
  const [tab, setTab] = useState<"match" | "search">("match");
  return (
    <section>
      <h1>Find a mentor</h1>
      <div role="tablist" class="tabs" aria-label="How to find">
        <button role="tab" type="button" aria-selected={tab === "match"} onClick={() => setTab("match")}>
          Best matches
        </button>
        <button role="tab" type="button" aria-selected={tab === "search"} onClick={() => setTab("search")}>
          Search
        </button>
      </div>
      {tab === "match" ? <MatchPanel /> : <SearchPanel />}
    </section>
  );
}

const FACTORS: [keyof Match["factors"], string][] = [
  ["skill", "Skill fit"],
  ["availability", "Shared time"],
  ["rating", "Rating"],
  ["responsiveness", "Responds"],
  ["load", "Has room"],
];

function MatchPanel() {
  const [skills, setSkills] = useState("");
  const [loaded, reload] = useLoad(async () => {
    const found = await call(api().GET("/match", { params: { query: { limit: 10, ...(skills ? { skills } : {}) } } }));
    for (const m of found.matches) seenCards.set(m.mentor.id, m.mentor);
    return found;
  }, [skills]);
  return (
    <div role="tabpanel">
      <form
        class="row"
        onSubmit={(e) => setSkills(formValues(e).skills ?? "")}
        aria-label="Skills to match"
      >
        <Field label="Skills to learn" name="skills" placeholder="rust:4, sql" hint="Comma-separated; empty uses your profile's learning list." problem={null} />
        <Button type="submit">Match</Button>
      </form>
      <Loading loaded={loaded} retry={reload}>
        {(found) =>
          found.matches.length === 0 ? (
            <p class="muted">No mentor fits yet. Add skills you want to learn to your profile, or search instead.</p>
          ) : (
            <ol class="cards">
              {found.matches.map((m) => (
                <li class="card" key={m.mentor.id}>
                  <MentorSummary card={m.mentor} />
                  <p class="reason">{m.reason}</p>
                  <dl class="factors" aria-label="Why this match">
                    {FACTORS.map(([key, label]) => (
                      <div key={key}>
                        <dt>{label}</dt>
                        <dd>
                          <meter min={0} max={1} value={m.factors[key]} aria-label={`${label} ${Math.round(m.factors[key] * 100)}%`} />
                        </dd>
                      </div>
                    ))}
                  </dl>
                  <p class="muted">
                    Score {m.score.toFixed(2)} · {m.overlap_hours.toFixed(1)} h shared in the next {found.window_days} days
                  </p>
                </li>
              ))}
            </ol>
          )
        }
      </Loading>
    </div>
  );
}

/** The summary every list shows for a mentor. */
export function MentorSummary(props: { card: Card }) {
  const { card } = props;
  return (
    <div>
      <h2 class="h3">
        <Link href={`/mentors/${card.id}`}>{card.name}</Link>
      </h2>
      {card.headline && <p>{card.headline}</p>}
      <p class="muted">
        {rating(card.stats.rating_sum, card.stats.rating_count)} · {money(card.price)} per hour · {card.languages.join(", ")}
      </p>
      <ul class="chips" aria-label="Skills">
        {card.skills.map((s) => (
          <li key={s.name}>
            {s.name} <span aria-label={`level ${s.level} of 5`}>{"●".repeat(s.level)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

interface Filters {
  q?: string;
  skill?: string[];
  language?: string;
  min_rating?: number;
  price_max?: number;
  sort?: Sort;
}

function SearchPanel() {
  const [filters, setFilters] = useState<Filters>({});
  const [results, setResults] = useState<Card[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const sentinel = useRef<HTMLDivElement>(null);
  const generation = useRef(0);

  const load = async (from: string | null | undefined, reset: boolean) => {
    const mine = ++generation.current;
    setBusy(true);
    setProblem(null);
    try {
      const page = await call(api().GET("/mentors", { params: { query: { ...filters, limit: 20, ...(from ? { cursor: from } : {}) } } }));
      if (mine !== generation.current) return;
      for (const m of page.mentors) seenCards.set(m.id, m);
      setResults((r) => (reset ? page.mentors : [...r, ...page.mentors]));
      setCursor(page.next_cursor ?? null);
    } catch (error) {
      if (mine === generation.current) setProblem(asProblem(error));
    } finally {
      if (mine === generation.current) setBusy(false);
    }
  };

  useEffect(() => {
    void load(undefined, true);
  }, [filters]);

  // Infinite scroll: the next page loads as the end of the list comes into view.
  useEffect(() => {
    const target = sentinel.current;
    if (!target || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && cursor && !busy && !problem) void load(cursor, false);
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [cursor, busy, problem]);

  const apply = (event: Event) => {
    const v = formValues(event);
    const next: Filters = {};
    if (v.q) next.q = v.q;
    if (v.skill) next.skill = v.skill.split(",").map((s) => s.trim()).filter(Boolean);
    if (v.language) next.language = v.language;
    if (v.min_rating) next.min_rating = Number(v.min_rating);
    if (v.price_max) next.price_max = Math.round(Number(v.price_max) * 100);
    if (v.sort) next.sort = v.sort as Sort;
    setFilters(next);
  };

  return (
    <div role="tabpanel">
      <form class="filters" onSubmit={apply} aria-label="Search filters">
        <Field label="Name or headline" name="q" problem={problem} />
        <Field label="Skills (all of)" name="skill" placeholder="rust, sql" problem={problem} />
        <Field label="Language" name="language" placeholder="en" problem={problem} />
        <Field label="Minimum rating" name="min_rating" type="number" min={1} max={5} step={0.5} problem={problem} />
        <Field label="Highest price per hour" name="price_max" type="number" min={0} step={5} problem={problem} />
        <div class="field">
          <label for="sort">Sort by</label>
          <select id="sort" name="sort">
            <option value="relevance">Relevance</option>
            <option value="rating">Rating</option>
            <option value="price_asc">Price, low to high</option>
            <option value="price_desc">Price, high to low</option>
          </select>
        </div>
        <Button type="submit">Search</Button>
      </form>
      <ProblemNote problem={problem} fields={["q", "skill", "language", "min_rating", "price_max"]} retry={() => void load(cursor, false)} />
      {results.length === 0 && !busy && !problem && <p class="muted">No mentor matches these filters.</p>}
      <ul class="cards" aria-label="Mentors">
        {results.map((card) => (
          <li class="card" key={card.id}>
            <MentorSummary card={card} />
          </li>
        ))}
      </ul>
      <div ref={sentinel} />
      {busy && <p aria-busy="true">Loading…</p>}
      {cursor && !busy && (
        <Button type="button" onClick={() => void load(cursor, false)}>
          More mentors
        </Button>
      )}
    </div>
  );
}
