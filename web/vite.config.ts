import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

/**
 * Serves `/config.json`, the runtime configuration the client reads at start, from the
 * environment (`make dev` sets it). In AWS a CloudFront Function answers the same path from
 * the stack's outputs, so one build serves every stage.
 */
const API_URL = process.env.PEERLEARN_API_URL ?? "http://localhost:3000";

function runtimeConfig(): Plugin {
  const body = () =>
    JSON.stringify({
      api_url: API_URL,
      ws_url: process.env.PEERLEARN_WS_URL ?? "ws://localhost:3001/dev",
      // The dev gateway signs Google ID tokens offline; proxied below to stay same-origin.
      google_stand_in: "/_local/google/id-token",
      // The local Stripe stand-in (make dev starts it) takes card confirmations from the page.
      ...(process.env.PEERLEARN_STRIPE_URL ? { stripe_stand_in: process.env.PEERLEARN_STRIPE_URL, stripe_publishable_key: "pk_test_local" } : {}),
    });
  // Returns nothing: a function returned from configureServer would run as a post hook.
  const serve = (server: { middlewares: { use: (path: string, fn: (req: unknown, res: ServerResponseLike) => void) => unknown } }): void => {
    server.middlewares.use("/config.json", (_req, res) => {
      res.setHeader("content-type", "application/json");
      res.setHeader("cache-control", "no-store");
      res.end(body());
    });
  };
  return {
    name: "peerlearn-runtime-config",
    configureServer: serve,
    configurePreviewServer: serve,
  };
}

interface ServerResponseLike {
  setHeader(name: string, value: string): void;
  end(body: string): void;
}

export default defineConfig({
  plugins: [runtimeConfig()],
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { target: "es2022", sourcemap: true },
  server: { port: 5173, strictPort: true, proxy: { "/_local/google": API_URL } },
  preview: { port: 4173, proxy: { "/_local/google": API_URL } },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
