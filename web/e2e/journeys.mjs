// The journeys: what a learner, a mentor and an admin do in the browser, step by step, with an
// accessibility scan (axe-core) of each main page. Returns false when any step failed.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");
const DEMO_PASSWORD = "peerlearn demo password";
const TIMEOUT = 15_000;

export async function journeys({ browser, stack, out }) {
  const { origin, moto } = stack;
  const pages = {};
  const open = async (who, options) => {
    const context = await browser.newContext({ baseURL: origin, ...options });
    context.setDefaultTimeout(TIMEOUT);
    const page = await context.newPage();
    page.on("pageerror", (error) => console.error(`  [${who}] page error: ${error.message}`));
    pages[who] = page;
    return page;
  };
  const screenshots = async (label) => {
    for (const [who, page] of Object.entries(pages)) {
      await page.screenshot({ path: join(out, `${label}-${who}.png`), fullPage: true }).catch(() => {});
    }
  };
  const shoot = async (page, name) => {
    if (process.env.SCREENSHOTS) await page.screenshot({ path: join(out, `${name}.png`), fullPage: false });
  };
  let ok = true;
  let n = 0;
  const step = async (name, body) => {
    n += 1;
    const started = Date.now();
    try {
      await body();
      console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      ok = false;
      console.error(`  ✗ ${name}\n${String(error?.stack ?? error).replace(/^/gm, "    ")}`);
      await screenshots(`failed-${String(n).padStart(2, "0")}`);
      throw error;
    }
  };
  const violations = [];
  const axe = async (page, name) => {
    await page.addScriptTag({ path: AXE });
    const found = await page.evaluate(async () => {
      const result = await globalThis.axe.run(document, { resultTypes: ["violations"] });
      if (result.passes.length === 0) return ["axe checked nothing"];
      return result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((node) => node.target.join(" ")).slice(0, 3).join(", ")}`);
    });
    for (const v of found) violations.push(`${name}: ${v}`);
    await shoot(page, name);
  };
  const sessionOf = (page) => page.evaluate(() => JSON.parse(localStorage.getItem("peerlearn.session") ?? "null"));
  const state = (page) => page.getByTestId("session-state");
  const thread = (page) => page.getByRole("list", { name: /^Messages with / });

  try {
    const learner = await open("learner", { timezoneId: "Europe/Madrid", locale: "en-GB" });
    const mentor = await open("mentor", { timezoneId: "America/New_York", locale: "en-US" });
    const email = `learner-${Date.now()}@example.com`;
    let mentorUser;
    let sessionPath;

    await step("the API's field error shows next to the field it names", async () => {
      await learner.goto("/signup");
      await axe(learner, "signup");
      await learner.getByLabel("Name", { exact: true }).fill("Lea Learner");
      await learner.getByLabel("Email", { exact: true }).fill("not-an-address");
      await learner.getByLabel("Password", { exact: true }).fill("a long enough passphrase");
      await learner.getByRole("button", { name: "Create account" }).click();
      const error = learner.locator(".field.invalid").filter({ has: learner.getByLabel("Email", { exact: true }) });
      await error.getByRole("alert").waitFor();
      assert.match(await error.getByRole("alert").innerText(), /email/i);
    });

    await step("a learner signs up", async () => {
      await learner.getByLabel("Email", { exact: true }).fill(email);
      await learner.getByRole("button", { name: "Create account" }).click();
      await learner.waitForURL(/\/profile\?welcome=1$/);
      await learner.getByRole("heading", { name: "Your profile" }).waitFor();
      await learner.getByText("Confirm " + email).waitFor();
      await axe(learner, "profile");
    });

    await step("and confirms the address with the mailed link", async () => {
      let link;
      for (let i = 0; i < 50 && !link; i++) {
        const data = await (await fetch(`${moto}/moto-api/data.json`)).json();
        const mail = (data.ses?.Message ?? []).filter((m) => m.destinations?.ToAddresses?.includes(email)).at(-1);
        link = mail?.body?.match(/https?:\/\/\S+verify-email\?token=[\w-]+/)?.[0];
        if (!link) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(link, `no confirmation mail to ${email}`);
      assert.ok(link.startsWith(origin), `the link points at this client: ${link}`);
      await learner.goto(link);
      await learner.getByTestId("email-confirmed").waitFor();
    });

    await step("a demo mentor signs in in a second browser", async () => {
      await mentor.goto("/signin");
      await axe(mentor, "signin");
      await mentor.getByLabel("Email", { exact: true }).fill("mentor0@demo.peerlearn.dev");
      await mentor.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
      await mentor.getByRole("button", { name: "Sign in" }).click();
      await mentor.waitForURL(/\/(sessions|find)$/);
      mentorUser = (await sessionOf(mentor)).user;
      assert.ok(mentorUser.roles.includes("mentor"));
      // Live updates are on before anything happens to this mentor.
      await mentor.locator(".dot.open").waitFor();
    });

    await step("the learner finds the mentor by name", async () => {
      await learner.getByRole("link", { name: "Find mentors" }).click();
      await learner.getByRole("heading", { name: "Find a mentor" }).waitFor();
      await learner.getByRole("tab", { name: "Search" }).click();
      await learner.getByLabel("Name or headline").fill(mentorUser.name);
      await learner.getByRole("button", { name: "Search" }).click();
      await learner.getByRole("link", { name: mentorUser.name }).first().click();
      await learner.waitForURL(new RegExp(`/mentors/${mentorUser.id}$`));
      await learner.getByRole("heading", { name: "Book a session" }).waitFor();
      await axe(learner, "mentor");
    });

    await step("and books a slot, once for a double click", async () => {
      await learner.getByRole("group", { name: "Free times" }).getByRole("button").first().click();
      await learner.getByLabel("What do you want to work on?").fill("Ownership and borrowing");
      const request = learner.getByRole("button", { name: /^Request / });
      await request.dblclick();
      await learner.waitForURL(/\/sessions\/[0-9A-Z]{26}$/);
      sessionPath = new URL(learner.url()).pathname;
      await state(learner).filter({ hasText: "requested" }).waitFor();
      const token = (await sessionOf(learner)).access;
      const list = await (await fetch(`${stack.api}/sessions?when=upcoming`, { headers: { authorization: `Bearer ${token}` } })).json();
      assert.equal(list.sessions.length, 1, "one booking for a double click");
      await axe(learner, "session");
    });

    await step("the mentor sees the live notification and accepts", async () => {
      // No reload: the bell counts the notification pushed over the WebSocket.
      await mentor.getByTestId("unread").waitFor();
      await mentor.getByRole("link", { name: /Notifications/ }).click();
      await mentor.getByRole("heading", { name: "Notifications" }).waitFor();
      await axe(mentor, "notifications");
      await mentor.getByRole("list", { name: "Notifications" }).getByRole("link").first().click();
      await mentor.waitForURL(new RegExp(`${sessionPath}$`));
      await mentor.getByRole("button", { name: "Accept" }).click();
      await state(mentor).filter({ hasText: /accepted|confirmed/ }).waitFor();
    });

    await step("the learner's open session page follows live", async () => {
      await state(learner).filter({ hasText: /accepted|confirmed/ }).waitFor();
    });

    await step("the learner pays with a test card and the webhook confirms the session", async () => {
      await learner.getByRole("heading", { name: /^Pay / }).waitFor();
      await learner.getByLabel(/^Test card/).selectOption("pm_card_chargeDeclined");
      await learner.getByRole("button", { name: "Pay now" }).click();
      await learner.getByRole("alert").filter({ hasText: /declined/i }).waitFor();
      await learner.getByLabel(/^Test card/).selectOption("pm_card_visa");
      await learner.getByRole("button", { name: "Pay now" }).click();
      await state(learner).filter({ hasText: "confirmed" }).waitFor({ timeout: 30_000 });
      await learner.getByRole("link", { name: "Join the video call" }).waitFor();
    });

    await step("both chat live, with typing and receipts", async () => {
      await learner.getByRole("link", { name: /^Message / }).click();
      await learner.waitForURL(/\/messages\/[0-9A-Z]{26}-[0-9A-Z]{26}$/);
      const conversation = new URL(learner.url()).pathname;
      await mentor.goto(conversation);
      await mentor.getByRole("textbox", { name: "Message" }).waitFor();
      await mentor.locator(".dot.open").waitFor();
      await learner.locator(".dot.open").waitFor();
      await learner.getByRole("textbox", { name: "Message" }).fill("Hello from the learner");
      await learner.getByRole("textbox", { name: "Message" }).press("Enter");
      await thread(mentor).getByText("Hello from the learner").waitFor();
      // The mentor's screen marked it read: the receipt reaches the learner.
      await thread(learner).getByText(/Seen/).waitFor();
      await mentor.getByRole("textbox", { name: "Message" }).pressSequentially("Hi! See", { delay: 20 });
      await learner.getByText(/is typing/).waitFor();
      await mentor.getByRole("textbox", { name: "Message" }).pressSequentially(" you then.");
      await mentor.getByRole("button", { name: "Send" }).click();
      await thread(learner).getByText("Hi! See you then.").waitFor();
      // Each side's own message is stored once (no "Sending…" left behind).
      await thread(learner).getByText("Sending…").waitFor({ state: "detached" });
      assert.equal(await thread(learner).getByText("Hello from the learner").count(), 1);
      await axe(learner, "messages");
    });

    await step("the learner cancels, seeing the notice rule first", async () => {
      await learner.goto(sessionPath);
      await learner.getByText("Cancel this session").click();
      await learner.getByTestId("notice-rule").waitFor();
      await learner.getByLabel(/^Reason/).fill("Something came up");
      await learner.getByRole("button", { name: "Cancel session" }).click();
      await state(learner).filter({ hasText: "cancelled" }).waitFor();
      await mentor.goto(sessionPath);
      await state(mentor).filter({ hasText: "cancelled" }).waitFor();
    });

    await step("points and leaderboards show the member's standing", async () => {
      await learner.getByRole("link", { name: "Points" }).click();
      await learner.getByTestId("points-total").waitFor();
      await learner.getByText(/You are|no points on this board/).waitFor();
      await axe(learner, "points");
    });

    await step("a non-admin cannot reach admin pages", async () => {
      assert.equal(await learner.getByRole("link", { name: "Admin" }).count(), 0);
      await learner.goto("/admin");
      await learner.getByRole("heading", { name: "Admins only" }).waitFor();
      await learner.goto("/admin/verifications/01J00000000000000000000000");
      await learner.getByRole("heading", { name: "Admins only" }).waitFor();
    });

    await step("an admin reaches the queue, members and stats", async () => {
      const admin = await open("admin", { timezoneId: "UTC" });
      await admin.goto("/signin?next=/admin");
      await admin.getByLabel("Email", { exact: true }).fill("admin@demo.peerlearn.dev");
      await admin.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
      await admin.getByRole("button", { name: "Sign in" }).click();
      await admin.waitForURL(/\/admin$/);
      await admin.getByRole("tab", { name: "Verification queue" }).waitFor();
      await axe(admin, "admin");
      await admin.getByRole("tab", { name: "Stats" }).click();
      await admin.getByText("Verifications pending").waitFor();
      await admin.getByRole("tab", { name: "Members" }).click();
      await admin.getByLabel("Name or email").fill(email);
      await admin.getByRole("button", { name: "Find" }).click();
      await admin.getByText(email).waitFor();
    });

    await step("every main page has no serious or critical accessibility violation", async () => {
      assert.deepEqual(violations, []);
    });
  } catch {
    return false;
  }
  return ok;
}
