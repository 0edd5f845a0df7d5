import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";
import { api, call } from "./api/client";
import { type Session, hasRole, session, signedOut } from "./api/session";
import { Link, match, navigate, useRoute } from "./lib/router";
import { useStore } from "./lib/store";
import { linkState, unread } from "./realtime/live";
import { AdminPage, VerificationReviewPage } from "./pages/admin";
import { ForgotPage, PhoneSignInPage, ResetPage, SignInPage, SignUpPage, VerifyEmailPage } from "./pages/auth";
import { ChatPage } from "./pages/chat";
import { FindPage } from "./pages/find";
import { MentorPage } from "./pages/mentor";
import { NotificationsPage } from "./pages/notifications";
import { PointsPage } from "./pages/points";
import { ProfilePage } from "./pages/profile";
import { SessionPage, SessionsPage } from "./pages/sessions";

type Page = (params: Record<string, string>, me: Session) => ComponentChildren;

/** Pages for signed-in members, by path pattern. */
const MEMBER_PAGES: [string, Page][] = [
  ["/find", () => <FindPage />],
  ["/mentors/:id", (p) => <MentorPage id={p.id!} />],
  ["/sessions", () => <SessionsPage />],
  ["/sessions/:id", (p) => <SessionPage id={p.id!} />],
  ["/messages", () => <ChatPage />],
  ["/messages/:id", (p) => <ChatPage conversation={p.id!} />],
  ["/notifications", () => <NotificationsPage />],
  ["/points", () => <PointsPage />],
  ["/profile", () => <ProfilePage />],
  ["/payouts/done", () => <ProfilePage notice="Payout onboarding finished: Stripe is checking your details." />],
  ["/payouts/again", () => <ProfilePage notice="Payout onboarding was interrupted; start it again below." />],
  ["/admin", (_p, me) => (hasRole(me, "admin") ? <AdminPage /> : <AdminsOnly />)],
  ["/admin/verifications/:id", (p, me) => (hasRole(me, "admin") ? <VerificationReviewPage id={p.id!} /> : <AdminsOnly />)],
];

/** Pages anyone can open. */
const PUBLIC_PAGES: [string, () => ComponentChildren][] = [
  ["/signin", () => <SignInPage />],
  ["/signin/phone", () => <PhoneSignInPage />],
  ["/signup", () => <SignUpPage />],
  ["/forgot", () => <ForgotPage />],
  ["/reset-password", () => <ResetPage />],
  ["/verify-email", () => <VerifyEmailPage />],
];

/** The whole client: header, then the page the path names. */
export function App() {
  const where = useRoute();
  const me = useStore(session);

  for (const [pattern, page] of PUBLIC_PAGES) {
    if (match(pattern, where.path)) return <Layout me={me}>{page()}</Layout>;
  }
  if (!me) {
    if (where.path !== "/") {
      return <Redirect to={`/signin?next=${encodeURIComponent(where.path + (where.query.size ? `?${where.query}` : ""))}`} />;
    }
    return (
      <Layout me={null}>
        <Welcome />
      </Layout>
    );
  }
  if (where.path === "/") return <Redirect to={hasRole(me, "learner") ? "/find" : "/sessions"} />;
  for (const [pattern, page] of MEMBER_PAGES) {
    const params = match(pattern, where.path);
    if (params) return <Layout me={me}>{page(params, me)}</Layout>;
  }
  return (
    <Layout me={me}>
      <h1>Not found</h1>
      <p>
        There is no page at <code>{where.path}</code>. <Link href="/">Go home</Link>.
      </p>
    </Layout>
  );
}

function Redirect(props: { to: string }) {
  useEffect(() => navigate(props.to, true), [props.to]);
  return null;
}

function AdminsOnly() {
  return (
    <section>
      <h1>Admins only</h1>
      <p class="note error" role="alert">
        This part of Peerlearn is for the people who run it. <Link href="/">Back to your sessions</Link>.
      </p>
    </section>
  );
}

function Welcome() {
  return (
    <section class="hero">
      <h1>Learn from peers who have been there.</h1>
      <p>Find a mentor by skill, time and rating, book a session, meet over video and chat in between.</p>
      <p class="row">
        <Link class="button primary" href="/signup">
          Create an account
        </Link>
        <Link class="button" href="/signin">
          Sign in
        </Link>
      </p>
    </section>
  );
}

async function signOut(me: Session) {
  // Ends this sign-in on the server too; the browser forgets it either way.
  await call(api().POST("/auth/logout", { body: { refresh_token: me.refresh } })).catch(() => undefined);
  signedOut();
  navigate("/signin");
}

function Layout(props: { me: Session | null; children: ComponentChildren }) {
  const { me } = props;
  const bell = useStore(unread);
  const link = useStore(linkState);
  useEffect(() => {
    if (!me) return;
    call(api().GET("/notifications", { params: { query: { limit: 1 } } })).then(
      (list) => unread.set(list.unread),
      () => undefined,
    );
  }, [me?.user.id]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/" class="brand">
          Peerlearn
        </Link>
        {me && (
          <nav aria-label="Main">
            {hasRole(me, "learner") && <Link href="/find">Find mentors</Link>}
            <Link href="/sessions">Sessions</Link>
            <Link href="/messages">Messages</Link>
            <Link href="/points">Points</Link>
            <Link href="/profile">Profile</Link>
            {hasRole(me, "admin") && <Link href="/admin">Admin</Link>}
          </nav>
        )}
        {me && (
          <div class="row end">
            <span class={`dot ${link}`} title={`Live updates: ${link}`} aria-label={`Live updates ${link}`} role="status" />
            <Link href="/notifications" class="bell" aria-label={`Notifications, ${bell} unread`}>
              <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
                <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" />
              </svg>
              {bell > 0 && <span class="badge" data-testid="unread">{bell}</span>}
            </Link>
            <button type="button" class="link" onClick={() => void signOut(me)}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main">{props.children}</main>
    </>
  );
}
