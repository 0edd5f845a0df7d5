// Browser journeys in headless Chromium (playwright-core, the OS package), against the whole
// local stack: a dev gateway and a seeded table of their own, the built client served by
// `vite preview`. Run inside `infra/stack.sh run` (DynamoDB Local, moto, the Stripe stand-in):
//   infra/stack.sh run -- node web/e2e/run.mjs        (make test runs it through infra/web.sh)
// Screenshots of every open page land in .local/web-e2e/ when a step fails (and of the main
// pages always, with SCREENSHOTS=1).
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startStack } from "./stack.mjs";
import { journeys } from "./journeys.mjs";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const root = join(web, "..");
const out = join(root, ".local", "web-e2e");
mkdirSync(out, { recursive: true });

const browserPath = process.env.CHROMIUM ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
if (!browserPath) {
  console.error("web e2e: Chromium is missing; install the OS package: sudo apt-get install -y chromium (or set CHROMIUM=/path/to/chrome)");
  process.exit(1);
}

const stack = await startStack({ root, web, out });
let browser;
let failed = false;
try {
  browser = await chromium.launch({
    executablePath: browserPath,
    // The flags keep Chromium from reaching for Google's services, which this network refuses.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  failed = !(await journeys({ browser, stack, out }));
} catch (error) {
  console.error(error);
  failed = true;
} finally {
  await browser?.close().catch(() => {});
  await stack.stop();
}
if (failed) {
  console.error(`web e2e: FAILED (screenshots and logs in ${out})`);
  process.exit(1);
}
console.log("web e2e: all journeys passed");
