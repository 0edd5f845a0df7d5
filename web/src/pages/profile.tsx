import { useEffect, useState } from "preact/hooks";
import { api, call } from "../api/client";
import type { components } from "../api/schema";
import { type Account, accountChanged, session, signedIn } from "../api/session";
import { Button, Field, FieldError, Loading, ProblemNote, formValues, useAction, useLoad } from "../components";
import { when } from "../lib/format";
import { useRoute } from "../lib/router";
import { type Weekday, browserZone } from "../lib/slots";
import { useStore } from "../lib/store";

type Patch = components["schemas"]["ProfilePatch"];
type UploadPurpose = components["schemas"]["UploadPurpose"];
interface SkillRow {
  name: string;
  level: number;
}
interface WindowRow {
  day: Weekday;
  start: string;
  end: string;
}

const DAYS: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export function ProfilePage(props: { notice?: string }) {
  const { query } = useRoute();
  const [loaded, reload, set] = useLoad(() => call(api().GET("/me")), []);
  useEffect(() => {
    if (loaded.state === "ready") accountChanged(loaded.data);
  }, [loaded]);
  return (
    <section>
      <h1>Your profile</h1>
      {props.notice && <p class="note">{props.notice}</p>}
      {query.get("welcome") && <p class="note">Welcome! Tell others what you can teach and what you want to learn; a confirmation link is on its way to your inbox.</p>}
      <Loading loaded={loaded} retry={reload}>
        {(me) => (
          <>
            <EmailStatus me={me} />
            <ProfileForm me={me} onSaved={set} />
            <Avatar me={me} onSaved={reload} />
            {me.roles.includes("mentor") && <Verification />}
            {me.roles.includes("mentor") && <Payouts />}
            <Phone me={me} onSaved={reload} />
            <PasswordChange />
          </>
        )}
      </Loading>
    </section>
  );
}

function EmailStatus(props: { me: Account }) {
  const [sent, setSent] = useState(false);
  const resend = useAction(async () => {
    await call(api().POST("/me/email/verification"));
    setSent(true);
  });
  if (props.me.email_verified) return <p class="muted">Signed in as {props.me.email} (confirmed).</p>;
  return (
    <div class="note warn">
      <p>
        Confirm {props.me.email} with the link we mailed you: until then you cannot request paid sessions or ask for mentor verification.
      </p>
      <ProblemNote problem={resend.problem} />
      {sent ? <p role="status">Sent. Check your inbox.</p> : <Button busy={resend.busy} onClick={() => void resend.run()}>Send the link again</Button>}
    </div>
  );
}

function SkillsEditor(props: { label: string; name: string; rows: SkillRow[]; onChange: (rows: SkillRow[]) => void; problem: components["schemas"]["Problem"] | null }) {
  const { rows, onChange } = props;
  return (
    <fieldset class="field">
      <legend>{props.label}</legend>
      {rows.map((row, i) => (
        <div class="row" key={i}>
          <label class="sr-only" for={`${props.name}-${i}`}>
            Skill
          </label>
          <input id={`${props.name}-${i}`} value={row.name} placeholder="rust" onInput={(e) => onChange(rows.map((r, j) => (j === i ? { ...r, name: (e.currentTarget as HTMLInputElement).value } : r)))} />
          <label class="sr-only" for={`${props.name}-${i}-level`}>
            Level
          </label>
          <select id={`${props.name}-${i}-level`} value={row.level} onChange={(e) => onChange(rows.map((r, j) => (j === i ? { ...r, level: Number((e.currentTarget as HTMLSelectElement).value) } : r)))}>
            {[1, 2, 3, 4, 5].map((l) => (
              <option key={l} value={l}>
                level {l}
              </option>
            ))}
          </select>
          <button type="button" class="link" onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove ${row.name || "skill"}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, { name: "", level: 3 }])}>
        Add a skill
      </button>
      <FieldError problem={props.problem} name={props.name} />
    </fieldset>
  );
}

function AvailabilityEditor(props: { rows: WindowRow[]; onChange: (rows: WindowRow[]) => void; problem: components["schemas"]["Problem"] | null }) {
  const { rows, onChange } = props;
  const change = (i: number, part: Partial<WindowRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...part } : r)));
  return (
    <fieldset class="field">
      <legend>Weekly availability (your time zone)</legend>
      {rows.map((row, i) => (
        <div class="row" key={i}>
          <label class="sr-only" for={`day-${i}`}>
            Day
          </label>
          <select id={`day-${i}`} value={row.day} onChange={(e) => change(i, { day: (e.currentTarget as HTMLSelectElement).value as Weekday })}>
            {DAYS.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
          <label for={`from-${i}`}>from</label>
          <input id={`from-${i}`} type="time" step={900} value={row.start} onInput={(e) => change(i, { start: (e.currentTarget as HTMLInputElement).value })} />
          <label for={`to-${i}`}>to</label>
          <input id={`to-${i}`} type="time" step={900} value={row.end === "24:00" ? "23:59" : row.end} onInput={(e) => change(i, { end: (e.currentTarget as HTMLInputElement).value === "23:59" ? "24:00" : (e.currentTarget as HTMLInputElement).value })} />
          <button type="button" class="link" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, { day: "mon", start: "18:00", end: "20:00" }])}>
        Add a window
      </button>
      <FieldError problem={props.problem} name="availability" />
    </fieldset>
  );
}

function ProfileForm(props: { me: Account; onSaved: (me: Account) => void }) {
  const { me } = props;
  const p = me.profile;
  const [skills, setSkills] = useState<SkillRow[]>(p.skills ?? []);
  const [learning, setLearning] = useState<SkillRow[]>(p.learning ?? []);
  const [windows, setWindows] = useState<WindowRow[]>((p.availability ?? []) as WindowRow[]);
  const [saved, setSaved] = useState(false);
  const [zone, setZone] = useState(p.timezone ?? browserZone());
  const save = useAction(async (values: Record<string, string>) => {
    const patch: Patch = {
      name: values.name ?? me.name,
      headline: values.headline || null,
      bio: values.bio || null,
      timezone: (values.timezone || browserZone()) as Patch["timezone"],
      languages: (values.languages ?? "").split(",").map((l) => l.trim()).filter(Boolean),
      skills: skills.filter((s) => s.name.trim()),
      learning: learning.filter((s) => s.name.trim()),
      availability: windows,
    };
    if (values.price !== undefined) patch.price_cents = values.price === "" ? null : Math.round(Number(values.price) * 100);
    const updated = await call(api().PATCH("/me", { body: patch }));
    accountChanged(updated);
    props.onSaved(updated);
    setSaved(true);
  });
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [browserZone()];
  const isMentor = me.roles.includes("mentor");
  const fields = ["name", "headline", "bio", "timezone", "languages", "skills", "learning", "availability", "price_cents"];
  return (
    <form onSubmit={(e) => void save.run(formValues(e))} noValidate aria-label="Profile">
      <ProblemNote problem={save.problem} fields={fields} />
      <Field label="Name" name="name" defaultValue={me.name} problem={save.problem} />
      <Field label="Headline" name="headline" defaultValue={p.headline ?? ""} maxLength={120} problem={save.problem} />
      <div class="field">
        <label for="bio">About you</label>
        <textarea id="bio" name="bio" rows={4} maxLength={2000} defaultValue={p.bio ?? ""} />
        <FieldError problem={save.problem} name="bio" />
      </div>
      <div class="field">
        <label for="timezone">Time zone</label>
        <select id="timezone" name="timezone" value={zone} onChange={(e) => setZone((e.currentTarget as HTMLSelectElement).value)}>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
        <FieldError problem={save.problem} name="timezone" />
      </div>
      <Field label="Languages" name="languages" defaultValue={(p.languages ?? []).join(", ")} hint="Language tags, strongest first: en, es, pt-BR" problem={save.problem} />
      {isMentor && <SkillsEditor label="Skills you teach" name="skills" rows={skills} onChange={setSkills} problem={save.problem} />}
      <SkillsEditor label="Skills you want to learn" name="learning" rows={learning} onChange={setLearning} problem={save.problem} />
      <AvailabilityEditor rows={windows} onChange={setWindows} problem={save.problem} />
      {isMentor && (
        <Field label="Price per hour (empty or 0 for free)" name="price" type="number" min={0} step={1} defaultValue={p.price != null ? String(p.price / 100) : ""} problem={save.problem} />
      )}
      <FieldError problem={save.problem} name="price_cents" />
      <Button type="submit" class="primary" busy={save.busy}>
        Save profile
      </Button>
      {saved && !save.busy && !save.problem && (
        <span role="status" class="muted">
          {" "}
          Saved.
        </span>
      )}
    </form>
  );
}

/** Presigned upload: ask for a link, PUT the file to S3, let the API check and keep it. */
async function upload(file: File, purpose: UploadPurpose): Promise<string> {
  const started = await call(api().POST("/me/uploads", { body: { purpose, content_type: file.type, size_bytes: file.size } }));
  const put = await fetch(started.url, { method: started.method, headers: started.headers, body: file }).catch(() => null);
  if (!put?.ok) throw new Error("The file could not be sent to storage; try again.");
  const done = await call(api().POST("/me/uploads/{id}/complete", { params: { path: { id: started.upload.id } } }));
  return done.id;
}

function Avatar(props: { me: Account; onSaved: () => void }) {
  const send = useAction(async (file: File) => {
    await upload(file, "avatar");
    props.onSaved();
  });
  return (
    <section aria-labelledby="avatar-title">
      <h2 id="avatar-title">Photo</h2>
      {props.me.avatar_url && <img class="avatar" src={props.me.avatar_url} alt="Your photo" width={96} height={96} />}
      <ProblemNote problem={send.problem} />
      <label class="button">
        {send.busy ? "Uploading…" : "Choose a photo (JPEG or PNG, up to 2 MB)"}
        <input class="sr-only" type="file" accept="image/jpeg,image/png" onChange={(e) => { const f = (e.currentTarget as HTMLInputElement).files?.[0]; if (f) void send.run(f); }} />
      </label>
    </section>
  );
}

function Verification() {
  const [loaded, reload] = useLoad(() => call(api().GET("/me/verification")), []);
  const [uploads, setUploads] = useState<{ id: string; name: string; purpose: UploadPurpose }[]>([]);
  const add = useAction(async (file: File, purpose: UploadPurpose) => {
    const id = await upload(file, purpose);
    setUploads((u) => [...u, { id, name: file.name, purpose }]);
  });
  const submit = useAction(async (values: Record<string, string>) => {
    await call(api().POST("/me/verification", { body: { uploads: uploads.map((u) => u.id), statement: values.statement ?? "" } }));
    setUploads([]);
    reload();
  });
  return (
    <section aria-labelledby="verify-title">
      <h2 id="verify-title">Mentor verification</h2>
      <Loading loaded={loaded} retry={reload}>
        {(v) => (
          <>
            <p>
              Status: <strong data-testid="verification-status">{v.status}</strong>
              {v.request?.reason && ` (reason: ${v.request.reason})`}
              {v.request && ` · submitted ${when(v.request.submitted_at)}`}
            </p>
            {(v.status === "unverified" || v.status === "rejected") && (
              <form onSubmit={(e) => void submit.run(formValues(e))} noValidate>
                <p class="muted">An ID document is required; transcripts and certificates help. PDF, JPEG or PNG up to 10 MB.</p>
                {(["id_document", "transcript", "certificate"] as const).map((purpose) => (
                  <label class="button" key={purpose}>
                    Add {purpose.replace("_", " ")}
                    <input class="sr-only" type="file" accept="application/pdf,image/jpeg,image/png" onChange={(e) => { const f = (e.currentTarget as HTMLInputElement).files?.[0]; if (f) void add.run(f, purpose); }} />
                  </label>
                ))}
                <ProblemNote problem={add.problem} />
                <ul>
                  {uploads.map((u) => (
                    <li key={u.id}>
                      {u.purpose.replace("_", " ")}: {u.name}
                    </li>
                  ))}
                </ul>
                <ProblemNote problem={submit.problem} fields={["statement", "uploads"]} />
                <FieldError problem={submit.problem} name="uploads" />
                <Field label="A short statement for the reviewers" name="statement" maxLength={1000} problem={submit.problem} />
                <Button type="submit" class="primary" busy={submit.busy} disabled={uploads.length === 0}>
                  Ask for verification
                </Button>
              </form>
            )}
          </>
        )}
      </Loading>
    </section>
  );
}

function Payouts() {
  const [loaded, reload] = useLoad(() => call(api().GET("/me/payouts")), []);
  const start = useAction(async () => {
    const onboarding = await call(api().POST("/me/payouts/onboarding"));
    location.assign(onboarding.url);
  });
  return (
    <section aria-labelledby="payouts-title">
      <h2 id="payouts-title">Payouts</h2>
      <Loading loaded={loaded} retry={reload}>
        {(p) => (
          <>
            <p>
              Status: <strong>{p.status.replace("_", " ")}</strong>
            </p>
            {p.status !== "enabled" && (
              <Button busy={start.busy} onClick={() => void start.run()}>
                Set up payouts with Stripe
              </Button>
            )}
            <ProblemNote problem={start.problem} />
          </>
        )}
      </Loading>
    </section>
  );
}

function Phone(props: { me: Account; onSaved: () => void }) {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const send = useAction(async (values: Record<string, string>) => {
    await call(api().POST("/me/phone", { body: { phone: values.phone ?? "" } }));
    setSentTo(values.phone ?? "");
  });
  const verify = useAction(async (values: Record<string, string>) => {
    await call(api().POST("/me/phone/verify", { body: { code: values.code ?? "" } }));
    setSentTo(null);
    props.onSaved();
  });
  return (
    <section aria-labelledby="phone-title">
      <h2 id="phone-title">Phone</h2>
      {props.me.phone && <p>Verified number: {props.me.phone} (you can sign in with a texted code).</p>}
      {sentTo === null ? (
        <form onSubmit={(e) => void send.run(formValues(e))} noValidate class="row">
          <ProblemNote problem={send.problem} fields={["phone"]} />
          <Field label={props.me.phone ? "Change number" : "Add a number"} name="phone" type="tel" placeholder="+34600123456" problem={send.problem} />
          <Button type="submit" busy={send.busy}>
            Text me a code
          </Button>
        </form>
      ) : (
        <form onSubmit={(e) => void verify.run(formValues(e))} noValidate class="row">
          <ProblemNote problem={verify.problem} fields={["code"]} />
          <Field label={`Code sent to ${sentTo}`} name="code" inputMode="numeric" autoComplete="one-time-code" problem={verify.problem} />
          <Button type="submit" busy={verify.busy}>
            Verify
          </Button>
        </form>
      )}
    </section>
  );
}

function PasswordChange() {
  const me = useStore(session);
  const [done, setDone] = useState(false);
  const change = useAction(async (values: Record<string, string>) => {
    signedIn(await call(api().PATCH("/me/password", { body: { current_password: values.current_password ?? "", new_password: values.new_password ?? "" } })));
    setDone(true);
  });
  if (!me) return null;
  return (
    <details>
      <summary>Change password</summary>
      {done ? (
        <p role="status">Changed. Every other sign-in has ended.</p>
      ) : (
        <form onSubmit={(e) => void change.run(formValues(e))} noValidate>
          <ProblemNote problem={change.problem} fields={["current_password", "new_password"]} />
          <Field label="Current password" name="current_password" type="password" autoComplete="current-password" problem={change.problem} />
          <Field label="New password" name="new_password" type="password" autoComplete="new-password" minLength={8} problem={change.problem} />
          <Button type="submit" busy={change.busy}>
            Change password
          </Button>
        </form>
      )}
    </details>
  );
}
