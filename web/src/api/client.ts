import createClient from "openapi-fetch";
import type { RuntimeConfig } from "../config";
import { ApiError, offlineProblem, toProblem } from "./problem";
import type { paths } from "./schema";
import { type Session, session, signedIn, signedOut, stored } from "./session";

/** The typed API client: every path, parameter and body checked against the OpenAPI document. */
export type Api = ReturnType<typeof createClient<paths>>;

/** Refresh this long before the access token expires, so a request never races the expiry. */
const REFRESH_AHEAD_MS = 60_000;

let baseUrl = "";
let client: Api | null = null;

/** Builds the client once, at start, from the runtime configuration. */
export function initApi(config: RuntimeConfig): Api {
  baseUrl = config.api_url;
  client = createClient<paths>({ baseUrl, fetch: authorizedFetch });
  return client;
}

/** The client built by `initApi`. */
export function api(): Api {
  if (!client) throw new Error("initApi was not called");
  return client;
}

function withToken(request: Request, current: Session | null): Request {
  if (!current) return request;
  const headers = new Headers(request.headers);
  headers.set("authorization", `Bearer ${current.access}`);
  return new Request(request, { headers });
}

// Sign-in routes answer 401 for a wrong password: that is not an expired token to refresh.
const isSignInRoute = (request: Request) => new URL(request.url).pathname.startsWith("/auth/");

/**
 * Adds the access token, refreshing it first when it is about to expire, and once more (then
 * retries) when the API says it is no longer valid. Refresh tokens rotate and a reused one
 * ends the whole sign-in, so refreshes are single-flight in this tab and, where the browser
 * has Web Locks, across tabs.
 */
async function authorizedFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  let current = session.get();
  if (current && !isSignInRoute(request) && current.expiresAt - Date.now() < REFRESH_AHEAD_MS) {
    current = (await refresh(current)) ?? current;
  }
  const response = await fetch(withToken(request, isSignInRoute(request) ? null : current));
  if (response.status !== 401 || !current || isSignInRoute(request)) return response;
  const renewed = await refresh(current);
  return renewed ? fetch(withToken(retry, renewed)) : response;
}

let inFlight: Promise<Session | null> | null = null;

/** A fresh session, or null when the refresh token is no longer accepted (then signed out). */
export function refresh(stale: Session): Promise<Session | null> {
  inFlight ??= withLock(() => renew(stale)).finally(() => {
    inFlight = null;
  });
  return inFlight;
}

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return locks ? locks.request("peerlearn-refresh", work) : work();
}

async function renew(stale: Session): Promise<Session | null> {
  // Another tab may have refreshed while this one waited.
  const latest = stored();
  if (latest && latest.refresh !== stale.refresh) {
    session.set(latest);
    return latest;
  }
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/auth/refresh`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refresh_token: stale.refresh }),
    });
  } catch {
    return null; // offline: keep the session, the request shows the offline state
  }
  if (response.ok) return signedIn(await response.json());
  if (response.status === 401 || response.status === 403) signedOut();
  return null;
}

type Result = { data?: unknown; error?: unknown; response: Response };

/** The data of a successful answer; otherwise throws an `ApiError` carrying the problem to show. */
export async function call<R extends Result>(pending: Promise<R>): Promise<Exclude<R["data"], undefined>> {
  let result: R;
  try {
    result = await pending;
  } catch {
    throw new ApiError(offlineProblem());
  }
  if (!result.response.ok) throw new ApiError(toProblem(result.response.status, result.error));
  return result.data as Exclude<R["data"], undefined>;
}

/** Fetches a non-JSON resource the API serves (the .ics file) with the member's token. */
export async function download(path: string): Promise<Blob> {
  let response: Response;
  try {
    response = await authorizedFetch(new Request(`${baseUrl}${path}`));
  } catch {
    throw new ApiError(offlineProblem());
  }
  if (!response.ok) throw new ApiError(toProblem(response.status, await response.json().catch(() => null)));
  return response.blob();
}
