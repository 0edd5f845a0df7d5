/** Where the API and the WebSocket API are: read at start, not baked into the build. */
export interface RuntimeConfig {
  api_url: string;
  ws_url: string;
  /** Google's OAuth client id: shows "Continue with Google" (Google Identity Services). */
  google_client_id?: string;
  /** Locally: the dev gateway's Google stand-in that signs ID tokens (same origin, proxied). */
  google_stand_in?: string;
  /** Stripe's publishable key, and where Stripe.js is served (the local stand-in in dev). */
  stripe_publishable_key?: string;
  stripe_js?: string;
  /** Locally: the Stripe stand-in, which confirms PaymentIntents with test payment methods as Stripe.js would. */
  stripe_stand_in?: string;
}

/** Reads `/config.json` (served by Vite locally and by a CloudFront Function in AWS). */
export async function loadConfig(): Promise<RuntimeConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json answered ${response.status}`);
  const config = (await response.json()) as Partial<RuntimeConfig>;
  if (typeof config.api_url !== "string" || typeof config.ws_url !== "string") {
    throw new Error("config.json lacks api_url or ws_url");
  }
  return { ...config, api_url: config.api_url.replace(/\/$/, ""), ws_url: config.ws_url.replace(/\/$/, "") } as RuntimeConfig;
}

let loaded: RuntimeConfig | null = null;

/** The configuration read at start. */
export function config(): RuntimeConfig {
  if (!loaded) throw new Error("the configuration is not loaded yet");
  return loaded;
}

/** Keeps the configuration for the pages that need more than the API's address. */
export function keepConfig(value: RuntimeConfig): void {
  loaded = value;
}
