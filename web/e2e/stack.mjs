// Starts what the browser talks to: a dev gateway with a table of its own (seeded with demo
// mentors, learners and an admin) and the built client behind `vite preview`.
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url, child, what) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode})`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer at ${url}`);
}

function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(" ")} failed:\n${output}`))));
  });
}

/** The running stack: URLs, moto's endpoint for mail, and how to stop it. */
export async function startStack({ root, web, out }) {
  for (const name of ["DYNAMODB_ENDPOINT", "MOTO_ENDPOINT"]) {
    if (!process.env[name]) throw new Error(`${name} is not set: run inside infra/stack.sh run`);
  }
  const [port, wsPort, webPort] = [await freePort(), await freePort(), await freePort()];
  const api = `http://127.0.0.1:${port}`;
  const origin = `http://127.0.0.1:${webPort}`;
  const table = `web-e2e-${port}`;
  const env = {
    ...process.env,
    PORT: String(port),
    WS_PORT: String(wsPort),
    TABLE_NAME: table,
    TEMPLATE: join(root, "template.yaml"),
    S3_ENDPOINT: process.env.MOTO_ENDPOINT,
    SES_ENDPOINT: process.env.MOTO_ENDPOINT,
    SNS_ENDPOINT: process.env.MOTO_ENDPOINT,
    ALLOWED_ORIGINS: origin,
    // Mailed links point at this client, as WebAppUrl does in AWS.
    WEB_APP_URL: origin,
    RUST_LOG: process.env.RUST_LOG ?? "warn",
  };
  // A Stripe account of this run's own at the stand-in (each secret key is one), whose
  // webhooks go to this gateway, signed with the secret the stand-in returns.
  const stripe = process.env.STRIPE_API_BASE;
  if (stripe) {
    env.STRIPE_SECRET_KEY = `sk_test_web_e2e_${port}`;
    const endpoint = await fetch(`${stripe}v1/webhook_endpoints`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.STRIPE_SECRET_KEY}` },
      body: new URLSearchParams({ url: `${api}/webhooks/stripe`, "enabled_events[]": "*" }),
    });
    if (!endpoint.ok) throw new Error(`registering the webhook endpoint at the Stripe stand-in failed: ${endpoint.status}`);
    env.STRIPE_WEBHOOK_SECRET = (await endpoint.json()).secret;
  }
  const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
  const gateway = spawn(join(target, "debug", "dev-gateway"), [], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  const log = createWriteStream(join(out, "gateway.log"));
  gateway.stdout.pipe(log);
  gateway.stderr.pipe(log);
  const children = [gateway];
  const stop = async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.on("exit", r)) : null)));
  };
  try {
    await waitFor(`${api}/openapi.json`, gateway, "the dev gateway");
    await run(join(target, "debug", "seed"), ["--mentors", "12", "--learners", "4", "--credentials", "2", "--demo-admin"], { cwd: root, env });
    const preview = spawn(join(web, "node_modules", ".bin", "vite"), ["preview", "--host", "127.0.0.1", "--port", String(webPort), "--strictPort"], {
      cwd: web,
      env: { ...process.env, PEERLEARN_API_URL: api, PEERLEARN_WS_URL: `ws://127.0.0.1:${wsPort}/dev`, ...(stripe ? { PEERLEARN_STRIPE_URL: stripe } : {}) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(preview);
    const previewLog = createWriteStream(join(out, "preview.log"));
    preview.stdout.pipe(previewLog);
    preview.stderr.pipe(previewLog);
    await waitFor(`${origin}/config.json`, preview, "vite preview");
  } catch (error) {
    await stop();
    throw error;
  }
  return { api, origin, moto: process.env.MOTO_ENDPOINT, stop };
}
