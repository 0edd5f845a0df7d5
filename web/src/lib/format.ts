/** Display formats, in the browser's language and zone. */

const dateTime = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
const dateOnly = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });

/** "Mon 16 Mar, 13:00" in the browser's zone. */
export function when(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : "";
}

/** "Mon 16 Mar" for a local `YYYY-MM-DD`. */
export function day(date: string): string {
  return dateOnly.format(new Date(`${date}T12:00:00Z`));
}

/** An amount of cents in the platform currency. */
export function money(cents: number | null | undefined, currency = "USD"): string {
  if (cents === null || cents === undefined) return "Free";
  if (cents === 0) return "Free";
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(cents / 100);
}

/** A rating as stars out of five, or "New" without one. */
export function rating(sum: number, count: number): string {
  return count === 0 ? "New" : `★ ${(sum / count).toFixed(1)} (${count})`;
}

/** A ULID-like id for an Idempotency-Key or a chat client id. */
export function newId(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** Words for a session state. */
export function stateLabel(state: string): string {
  return state.replace("_", " ");
}
