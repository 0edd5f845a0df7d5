import { useState } from "preact/hooks";
import { api, call } from "../api/client";
import type { components } from "../api/schema";
import { hasRole, session } from "../api/session";
import { Loading, useLoad } from "../components";
import { when } from "../lib/format";
import { useStore } from "../lib/store";

type Party = components["schemas"]["Party"];
type Standing = components["schemas"]["Standing"];

export function PointsPage() {
  const [loaded, reload] = useLoad(() => Promise.all([call(api().GET("/me/points", { params: { query: { limit: 20 } } })), call(api().GET("/me/badges"))]), []);
  return (
    <section>
      <h1>Points and badges</h1>
      <Loading loaded={loaded} retry={reload}>
        {([points, badges]) => (
          <>
            <dl class="stats">
              <div>
                <dt>All-time points</dt>
                <dd data-testid="points-total">{points.all_time}</dd>
              </div>
              <div>
                <dt>Streak</dt>
                <dd>
                  {points.streak.current} days <small class="muted">(longest {points.streak.longest}, {points.streak.freezes} freezes)</small>
                </dd>
              </div>
              <div>
                <dt>Today</dt>
                <dd>
                  {points.repeatable_today} / {points.daily_cap}
                </dd>
              </div>
            </dl>
            <h2>Badges</h2>
            {badges.badges.length === 0 ? (
              <p class="muted">No badges yet: your first session earns one.</p>
            ) : (
              <ul class="chips badges">
                {badges.badges.map((b) => (
                  <li key={b.badge}>{b.badge.replace(/_/g, " ")}</li>
                ))}
              </ul>
            )}
            <h2>Recent points</h2>
            <ul class="list">
              {points.ledger.map((e) => (
                <li key={e.key}>
                  <strong>{e.points > 0 ? `+${e.points}` : e.points}</strong> {e.reason ?? e.key} <small class="muted">{when(e.at)}</small>
                </li>
              ))}
            </ul>
          </>
        )}
      </Loading>
      <Leaderboards />
    </section>
  );
}

function standing(me: Standing): string {
  if (me.kind === "exact") return `You are #${me.rank} with ${me.score} points.`;
  if (me.kind === "estimated") return `You are about #${me.estimate.rank} of ${me.estimate.of} (top ${Math.max(1, Math.round(100 - me.estimate.percentile))}%) with ${me.score} points.`;
  return "You have no points on this board yet.";
}

function Leaderboards() {
  const me = useStore(session);
  const [kind, setKind] = useState<"weekly" | "monthly">("weekly");
  const [role, setRole] = useState<Party>(hasRole(me, "mentor") ? "mentor" : "learner");
  const [loaded, reload] = useLoad(() => call(api().GET("/leaderboards/{kind}", { params: { path: { kind }, query: { role, limit: 20 } } })), [kind, role]);
  return (
    <section aria-labelledby="boards">
      <h2 id="boards">Leaderboards</h2>
      <div class="row">
        <div role="tablist" class="tabs" aria-label="Period">
          {(["weekly", "monthly"] as const).map((k) => (
            <button key={k} role="tab" type="button" aria-selected={kind === k} onClick={() => setKind(k)}>
              {k === "weekly" ? "This week" : "This month"}
            </button>
          ))}
        </div>
        <div role="tablist" class="tabs" aria-label="Board">
          {(["mentor", "learner"] as const).map((r) => (
            <button key={r} role="tab" type="button" aria-selected={role === r} onClick={() => setRole(r)}>
              {r === "mentor" ? "Mentors" : "Learners"}
            </button>
          ))}
        </div>
      </div>
      <Loading loaded={loaded} retry={reload}>
        {(board) => (
          <>
            <p class="note">
              {board.period}: {standing(board.me)}
            </p>
            <ol class="board">
              {board.entries.map((e) => (
                <li key={e.user} class={e.user === me?.user.id ? "me" : undefined}>
                  <span class="rank">#{e.rank}</span> {e.name ?? "A member"} <span class="score">{e.score}</span>
                </li>
              ))}
            </ol>
          </>
        )}
      </Loading>
    </section>
  );
}
