import type { ComponentChildren } from "preact";
import { Store, useStore } from "./store";

/** Where the browser is: path and query. */
export interface Location {
  path: string;
  query: URLSearchParams;
}

const here = (): Location => ({ path: location.pathname, query: new URLSearchParams(location.search) });

/** The current location; pages re-render when it changes. */
export const route = new Store<Location>(typeof location === "undefined" ? { path: "/", query: new URLSearchParams() } : here());

if (typeof window !== "undefined") window.addEventListener("popstate", () => route.set(here()));

/** Goes to a path inside the app (history entry unless `replace`). */
export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  route.set(here());
  window.scrollTo?.(0, 0);
}

/** The current location. */
export function useRoute(): Location {
  return useStore(route);
}

/** Matches `/sessions/:id` against a path; the named parts or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(":")) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return null;
  }
  return params;
}

/** An in-app link: a real `<a>` (new tab, copy link work), navigation without a reload. */
export function Link(props: { href: string; children: ComponentChildren; class?: string; "aria-label"?: string }) {
  const { href, children, ...rest } = props;
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
