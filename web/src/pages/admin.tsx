import { useState } from "preact/hooks";
import { api, call } from "../api/client";
import type { components } from "../api/schema";
import { Button, Field, Loading, ProblemNote, formValues, useAction, useLoad } from "../components";
import { when } from "../lib/format";
import { useName } from "../lib/names";
import { Link, navigate } from "../lib/router";

type Tab = "verifications" | "users" | "reports" | "stats" | "audit";
type Account = components["schemas"]["AccountView"];
type Outcome = components["schemas"]["ReportOutcome"];

/** The platform's back office: verification queue, members, reports, figures and the audit trail. */
export function AdminPage() {
  const [tab, setTab] = useState<Tab>("verifications");
  const tabs: [Tab, string][] = [
    ["verifications", "Verification queue"],
    ["users", "Members"],
    ["reports", "Reports"],
    ["stats", "Stats"],
    ["audit", "Audit trail"],
  ];
  return (
    <section>
      <h1>Admin</h1>
      <div role="tablist" class="tabs" aria-label="Admin">
        {tabs.map(([key, label]) => (
          <button key={key} role="tab" type="button" aria-selected={tab === key} onClick={() => setTab(key)}>
            {label}
          </button>
        ))}
      </div>
      {tab === "verifications" && <Queue />}
      {tab === "users" && <Members />}
      {tab === "reports" && <Reports />}
      {tab === "stats" && <Stats />}
      {tab === "audit" && <Audit />}
    </section>
  );
}

function Person(props: { id: string }) {
  return <>{useName(props.id)}</>;
}

function Queue() {
  const [loaded, reload] = useLoad(() => call(api().GET("/admin/verifications", { params: { query: { state: "pending", limit: 50 } } })), []);
  return (
    <Loading loaded={loaded} retry={reload}>
      {(queue) =>
        queue.verifications.length === 0 ? (
          <p class="muted">No one is waiting for verification.</p>
        ) : (
          <ul class="list">
            {queue.verifications.map((v) => (
              <li key={v.id}>
                <Link href={`/admin/verifications/${v.id}`}>
                  <Person id={v.mentor} />, {v.uploads.length} document(s), waiting since {when(v.submitted_at)}
                </Link>
              </li>
            ))}
          </ul>
        )
      }
    </Loading>
  );
}

/** One request: the documents (links valid for five minutes) and the decision. */
export function VerificationReviewPage(props: { id: string }) {
  const [loaded, reload] = useLoad(() => call(api().GET("/admin/verifications/{id}", { params: { path: { id: props.id } } })), [props.id]);
  const approve = useAction(async () => {
    await call(api().POST("/admin/verifications/{id}/approve", { params: { path: { id: props.id } } }));
    navigate("/admin");
  });
  const reject = useAction(async (values: Record<string, string>) => {
    await call(api().POST("/admin/verifications/{id}/reject", { params: { path: { id: props.id } }, body: { reason: values.reason ?? "" } }));
    navigate("/admin");
  });
  return (
    <Loading loaded={loaded} retry={reload}>
      {(review) => (
        <article>
          <h1>
            Verify {review.mentor.name} <small class="muted">({review.mentor.email})</small>
          </h1>
          <p>State: {review.request.state}</p>
          <blockquote>{review.request.statement}</blockquote>
          <ul class="documents">
            {review.documents.map((d) => (
              <li key={d.id}>
                <p>
                  {d.purpose.replace("_", " ")} · {Math.ceil(d.size_bytes / 1024)} kB ·{" "}
                  <a href={d.url} target="_blank" rel="noopener noreferrer">
                    open
                  </a>{" "}
                  <small class="muted">(link valid until {when(d.expires_at)})</small>
                </p>
                {/* Images preview inline; PDFs open in a tab (the CSP allows no plugins or foreign frames). */}
                {d.content_type.startsWith("image/") && <img src={d.url} alt={`${d.purpose} of ${review.mentor.name}`} class="preview" />}
              </li>
            ))}
          </ul>
          <Button class="link" onClick={reload}>
            Refresh the links
          </Button>
          {review.request.state === "pending" && (
            <>
              <ProblemNote problem={approve.problem} />
              <Button class="primary" busy={approve.busy} onClick={() => void approve.run()}>
                Approve
              </Button>
              <form onSubmit={(e) => void reject.run(formValues(e))} noValidate>
                <ProblemNote problem={reject.problem} fields={["reason"]} />
                <Field label="Reason for rejecting (the mentor reads it)" name="reason" maxLength={500} problem={reject.problem} />
                <Button type="submit" class="danger" busy={reject.busy}>
                  Reject
                </Button>
              </form>
            </>
          )}
        </article>
      )}
    </Loading>
  );
}

function Members() {
  const [filters, setFilters] = useState<{ q?: string; role?: "learner" | "mentor" | "admin"; status?: "active" | "suspended" }>({});
  const [loaded, reload] = useLoad(() => call(api().GET("/admin/users", { params: { query: { ...filters, limit: 50 } } })), [filters]);
  const search = (e: Event) => {
    const v = formValues(e);
    setFilters({
      ...(v.q ? { q: v.q } : {}),
      ...(v.role ? { role: v.role as "learner" } : {}),
      ...(v.status ? { status: v.status as "active" } : {}),
    });
  };
  return (
    <>
      <form class="filters" onSubmit={search} aria-label="Find members">
        <Field label="Name or email" name="q" problem={null} />
        <div class="field">
          <label for="role">Role</label>
          <select id="role" name="role">
            <option value="">any</option>
            <option>learner</option>
            <option>mentor</option>
            <option>admin</option>
          </select>
        </div>
        <div class="field">
          <label for="status">Status</label>
          <select id="status" name="status">
            <option value="">any</option>
            <option>active</option>
            <option>suspended</option>
          </select>
        </div>
        <Button type="submit">Find</Button>
      </form>
      <Loading loaded={loaded} retry={reload}>
        {(list) => (
          <ul class="list">
            {list.members.map((m) => (
              <MemberRow key={m.id} member={m} onChange={reload} />
            ))}
          </ul>
        )}
      </Loading>
    </>
  );
}

function MemberRow(props: { member: Account; onChange: () => void }) {
  const m = props.member;
  const suspend = useAction(async (values: Record<string, string>) => {
    await call(api().POST("/admin/users/{id}/suspend", { params: { path: { id: m.id } }, body: { reason: values.reason ?? "" } }));
    props.onChange();
  });
  const restore = useAction(async () => {
    await call(api().POST("/admin/users/{id}/restore", { params: { path: { id: m.id } } }));
    props.onChange();
  });
  return (
    <li>
      <strong>{m.name}</strong> {m.email} · {m.roles.join(", ")} · <span class={`state ${m.status}`}>{m.status}</span>
      <ProblemNote problem={suspend.problem ?? restore.problem} fields={["reason"]} />
      {m.status === "active" ? (
        <details>
          <summary>Suspend</summary>
          <form onSubmit={(e) => void suspend.run(formValues(e))} noValidate>
            <Field label="Reason (recorded in the audit trail)" name="reason" problem={suspend.problem} />
            <Button type="submit" class="danger" busy={suspend.busy}>
              Suspend {m.name}
            </Button>
          </form>
        </details>
      ) : (
        <Button busy={restore.busy} onClick={() => void restore.run()}>
          Restore
        </Button>
      )}
    </li>
  );
}

function Reports() {
  const [loaded, reload] = useLoad(() => call(api().GET("/admin/reports", { params: { query: { state: "open", limit: 50 } } })), []);
  const resolve = useAction(async (id: string, action: Outcome) => {
    await call(api().POST("/admin/reports/{id}/resolve", { params: { path: { id } }, body: { action } }));
    reload();
  });
  return (
    <Loading loaded={loaded} retry={reload}>
      {(list) =>
        list.reports.length === 0 ? (
          <p class="muted">No open reports.</p>
        ) : (
          <ul class="list">
            <ProblemNote problem={resolve.problem} />
            {list.reports.map((r) => (
              <li key={r.id}>
                <p>
                  <Person id={r.reporter} /> reported <Person id={r.reported} /> for {r.reason} ({when(r.created_at)}): {r.details}
                </p>
                {(["dismissed", "warned", "suspended"] as const).map((a) => (
                  <Button key={a} busy={resolve.busy} onClick={() => void resolve.run(r.id, a)}>
                    {a === "dismissed" ? "Dismiss" : a === "warned" ? "Warn" : "Suspend"}
                  </Button>
                ))}
              </li>
            ))}
          </ul>
        )
      }
    </Loading>
  );
}

function Stats() {
  const [loaded, reload] = useLoad(() => call(api().GET("/admin/stats")), []);
  return (
    <Loading loaded={loaded} retry={reload}>
      {(s) => (
        <>
          <p class="muted">As of {when(s.as_of)}</p>
          <dl class="stats">
            <div>
              <dt>Learners / mentors / admins</dt>
              <dd>
                {s.members.by_role.learner} / {s.members.by_role.mentor} / {s.members.by_role.admin}
              </dd>
            </div>
            <div>
              <dt>Active / suspended</dt>
              <dd>
                {s.members.by_status.active} / {s.members.by_status.suspended}
              </dd>
            </div>
            <div>
              <dt>Verifications pending</dt>
              <dd>{s.verifications_pending}</dd>
            </div>
          </dl>
          <table>
            <caption>Sessions and messages</caption>
            <thead>
              <tr>
                <th scope="col">Period</th>
                <th scope="col">Requested</th>
                <th scope="col">Confirmed</th>
                <th scope="col">Completed</th>
                <th scope="col">Cancelled</th>
                <th scope="col">Messages</th>
              </tr>
            </thead>
            <tbody>
              {[s.week, s.month].map((p) => (
                <tr key={p.period}>
                  <th scope="row">{p.period}</th>
                  <td>{p.sessions.requested}</td>
                  <td>{p.sessions.confirmed}</td>
                  <td>{p.sessions.completed}</td>
                  <td>{p.sessions.cancelled}</td>
                  <td>{p.messages}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Loading>
  );
}

function Audit() {
  const [loaded, reload] = useLoad(() => call(api().GET("/admin/audit", { params: { query: { limit: 50 } } })), []);
  return (
    <Loading loaded={loaded} retry={reload}>
      {(trail) => (
        <ol class="list">
          {trail.entries.map((e) => (
            <li key={e.id}>
              {when(e.at)}: <Person id={e.actor} /> {String(e.action).replace(/_/g, " ")} <Person id={e.subject} />
              {e.reason && `: ${e.reason}`}
            </li>
          ))}
        </ol>
      )}
    </Loading>
  );
}
