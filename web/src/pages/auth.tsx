import { useEffect, useState } from "preact/hooks";
import { api, call } from "../api/client";
import { accountChanged, session, signedIn } from "../api/session";
import { Button, Field, ProblemNote, formValues, useAction } from "../components";
import { config } from "../config";
import { Link, navigate, useRoute } from "../lib/router";

type Roles = "learner" | "mentor" | "both";

/** Where to go after signing in: the page that sent the member here, if it is ours. */
function afterSignIn(next: string | null): void {
  navigate(next?.startsWith("/") && !next.startsWith("//") ? next : "/", true);
}

export function SignInPage() {
  const { query } = useRoute();
  const signIn = useAction(async (values: Record<string, string>) => {
    signedIn(await call(api().POST("/auth/login", { body: { email: values.email ?? "", password: values.password ?? "" } })));
    afterSignIn(query.get("next"));
  });
  return (
    <section class="narrow">
      <h1>Sign in</h1>
      <form onSubmit={(e) => void signIn.run(formValues(e))} noValidate>
        <ProblemNote problem={signIn.problem} fields={["email", "password"]} />
        <Field label="Email" name="email" type="email" autoComplete="username" required problem={signIn.problem} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required problem={signIn.problem} />
        <Button type="submit" class="primary" busy={signIn.busy}>
          Sign in
        </Button>
      </form>
      <GoogleSignIn />
      <p class="row">
        <Link href="/signin/phone">Sign in with a phone code</Link>
        <Link href="/forgot">Forgot your password?</Link>
        <Link href="/signup">Create an account</Link>
      </p>
    </section>
  );
}

function RolePicker(props: { name?: string }) {
  return (
    <fieldset class="field">
      <legend>I want to</legend>
      <label>
        <input type="radio" name={props.name ?? "roles"} value="learner" defaultChecked /> learn
      </label>
      <label>
        <input type="radio" name={props.name ?? "roles"} value="mentor" /> mentor
      </label>
      <label>
        <input type="radio" name={props.name ?? "roles"} value="both" /> both
      </label>
    </fieldset>
  );
}

export function SignUpPage() {
  const signUp = useAction(async (values: Record<string, string>) => {
    const body = {
      email: values.email ?? "",
      password: values.password ?? "",
      name: values.name ?? "",
      roles: (values.roles ?? "learner") as Roles,
    };
    signedIn(await call(api().POST("/auth/register", { body })));
    navigate("/profile?welcome=1", true);
  });
  return (
    <section class="narrow">
      <h1>Create your account</h1>
      <form onSubmit={(e) => void signUp.run(formValues(e))} noValidate>
        <ProblemNote problem={signUp.problem} fields={["email", "password", "name", "roles"]} />
        <Field label="Name" name="name" autoComplete="name" required problem={signUp.problem} />
        <Field label="Email" name="email" type="email" autoComplete="email" required problem={signUp.problem} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint="At least 8 characters; a passphrase is best."
          problem={signUp.problem}
        />
        <RolePicker />
        <Button type="submit" class="primary" busy={signUp.busy}>
          Create account
        </Button>
      </form>
      <GoogleSignIn />
      <p>
        Already a member? <Link href="/signin">Sign in</Link>
      </p>
    </section>
  );
}

/** Google sign-in: Google Identity Services where a client id is configured, the dev gateway's stand-in locally. */
function GoogleSignIn() {
  const { google_client_id, google_stand_in } = config();
  const { query } = useRoute();
  const finish = useAction(async (idToken: string, name?: string) => {
    signedIn(await call(api().POST("/auth/google", { body: { id_token: idToken, roles: "learner", ...(name ? { name } : {}) } })));
    afterSignIn(query.get("next"));
  });
  useEffect(() => {
    if (!google_client_id) return;
    const script = document.createElement("script");
    script.src = "https://accounts.google.com/gsi/client";
    script.async = true;
    script.onload = () => {
      const google = (window as unknown as { google?: { accounts: { id: { initialize(o: object): void; renderButton(el: HTMLElement, o: object): void } } } }).google;
      const target = document.getElementById("google-button");
      if (!google || !target) return;
      google.accounts.id.initialize({ client_id: google_client_id, callback: (r: { credential: string }) => void finish.run(r.credential) });
      google.accounts.id.renderButton(target, { theme: "outline", text: "continue_with" });
    };
    document.head.append(script);
    return () => script.remove();
  }, [google_client_id]);
  const standIn = useAction(async (values: Record<string, string>) => {
    const response = await fetch(google_stand_in!, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sub: values.email, email: values.email, name: values.name }),
    });
    const { id_token } = (await response.json()) as { id_token: string };
    await finish.run(id_token, values.name);
  });
  if (google_client_id) {
    return (
      <div class="or">
        <ProblemNote problem={finish.problem} />
        <div id="google-button" />
      </div>
    );
  }
  if (!google_stand_in) return null;
  return (
    <details class="or">
      <summary>Continue with Google (local stand-in)</summary>
      <form onSubmit={(e) => void standIn.run(formValues(e))}>
        <ProblemNote problem={finish.problem ?? standIn.problem} />
        <Field label="Google email" name="email" type="email" required problem={null} />
        <Field label="Name on the Google account" name="name" required problem={null} />
        <Button type="submit" busy={standIn.busy || finish.busy}>
          Continue
        </Button>
      </form>
    </details>
  );
}

export function PhoneSignInPage() {
  const { query } = useRoute();
  const [phone, setPhone] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const start = useAction(async (values: Record<string, string>) => {
    const answer = await call(api().POST("/auth/otp/start", { body: { phone: values.phone ?? "" } }));
    setPhone(values.phone ?? "");
    setSent(answer.detail);
  });
  const verify = useAction(async (values: Record<string, string>) => {
    signedIn(await call(api().POST("/auth/otp/verify", { body: { phone: phone ?? "", code: values.code ?? "" } })));
    afterSignIn(query.get("next"));
  });
  return (
    <section class="narrow">
      <h1>Sign in with your phone</h1>
      {phone === null ? (
        <form onSubmit={(e) => void start.run(formValues(e))} noValidate>
          <ProblemNote problem={start.problem} fields={["phone"]} />
          <Field label="Verified phone number" name="phone" type="tel" autoComplete="tel" placeholder="+34600123456" hint="In international form, starting with +." problem={start.problem} />
          <Button type="submit" class="primary" busy={start.busy}>
            Text me a code
          </Button>
        </form>
      ) : (
        <form onSubmit={(e) => void verify.run(formValues(e))} noValidate>
          <p class="note">{sent}</p>
          <ProblemNote problem={verify.problem} fields={["code"]} />
          <Field label="Six-digit code" name="code" inputMode="numeric" autoComplete="one-time-code" problem={verify.problem} />
          <Button type="submit" class="primary" busy={verify.busy}>
            Sign in
          </Button>
          <button type="button" class="link" onClick={() => setPhone(null)}>
            Use another number
          </button>
        </form>
      )}
    </section>
  );
}

export function ForgotPage() {
  const [sent, setSent] = useState<string | null>(null);
  const ask = useAction(async (values: Record<string, string>) => {
    setSent((await call(api().POST("/auth/password/forgot", { body: { email: values.email ?? "" } }))).detail);
  });
  return (
    <section class="narrow">
      <h1>Reset your password</h1>
      {sent ? (
        <p class="note" role="status">
          {sent}
        </p>
      ) : (
        <form onSubmit={(e) => void ask.run(formValues(e))} noValidate>
          <ProblemNote problem={ask.problem} fields={["email"]} />
          <Field label="Email" name="email" type="email" autoComplete="email" problem={ask.problem} />
          <Button type="submit" class="primary" busy={ask.busy}>
            Mail me a link
          </Button>
        </form>
      )}
    </section>
  );
}

export function ResetPage() {
  const { query } = useRoute();
  const [done, setDone] = useState(false);
  const reset = useAction(async (values: Record<string, string>) => {
    await call(api().POST("/auth/password/reset", { body: { token: query.get("token") ?? "", password: values.password ?? "" } }));
    setDone(true);
  });
  return (
    <section class="narrow">
      <h1>Choose a new password</h1>
      {done ? (
        <p class="note" role="status">
          Your password is changed and every other sign-in has ended. <Link href="/signin">Sign in</Link>
        </p>
      ) : (
        <form onSubmit={(e) => void reset.run(formValues(e))} noValidate>
          <ProblemNote problem={reset.problem} fields={["password"]} />
          <Field label="New password" name="password" type="password" autoComplete="new-password" minLength={8} problem={reset.problem} />
          <Button type="submit" class="primary" busy={reset.busy}>
            Set password
          </Button>
        </form>
      )}
    </section>
  );
}

export function VerifyEmailPage() {
  const { query } = useRoute();
  const token = query.get("token") ?? "";
  const confirm = useAction(async () => {
    const status = await call(api().POST("/auth/verify-email", { body: { token } }));
    const me = session.get();
    if (me) accountChanged({ ...me.user, email: status.email, email_verified: status.email_verified });
  });
  const [started, setStarted] = useState(false);
  useEffect(() => {
    setStarted(true);
    void confirm.run();
  }, [token]);
  return (
    <section class="narrow">
      <h1>Confirm your email</h1>
      {!started || confirm.busy ? (
        <p aria-busy="true">Confirming…</p>
      ) : confirm.problem ? (
        <ProblemNote problem={confirm.problem} />
      ) : (
        <p class="note" role="status" data-testid="email-confirmed">
          Your address is confirmed. <Link href="/">Continue</Link>
        </p>
      )}
    </section>
  );
}
