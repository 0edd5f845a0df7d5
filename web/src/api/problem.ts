/**
 * API errors as the client shows them. Every error the API gives is an RFC 9457 problem
 * (application/problem+json) with a stable `type`; anything else (a proxy's HTML 502, no
 * network at all) is turned into one here, so pages have a single shape to show.
 */

/** One field the API named as wrong, and why. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** A problem document, as the API sends it or as the client makes one up for a failure it saw. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldProblem[];
  retry_after?: number | null;
  state?: string | null;
}

/** The type the client uses when no answer came back at all. */
export const OFFLINE = "urn:peerlearn:client:offline";
/** The type the client uses for an answer that was not a problem document. */
export const UNEXPECTED = "urn:peerlearn:client:unexpected";

const PREFIX = "urn:peerlearn:problem:";

/** The error pages catch: carries the problem to show. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
    this.name = "ApiError";
  }

  /** Whether the problem has this short type (`"conflict"` for `urn:peerlearn:problem:conflict`). */
  is(kind: string): boolean {
    return this.problem.type === PREFIX + kind;
  }
}

function isProblem(body: unknown): body is Problem {
  if (typeof body !== "object" || body === null) return false;
  const b = body as Record<string, unknown>;
  return typeof b.type === "string" && typeof b.title === "string" && typeof b.status === "number";
}

/** A problem from an error answer: the body the API sent, or one describing what came instead. */
export function toProblem(status: number, body: unknown): Problem {
  if (isProblem(body)) {
    return { ...body, detail: typeof body.detail === "string" ? body.detail : body.title };
  }
  if (status >= 500) {
    return {
      type: UNEXPECTED,
      title: "The service is having trouble",
      status,
      detail: "Something went wrong on our side. Please try again in a moment.",
    };
  }
  return {
    type: UNEXPECTED,
    title: "Unexpected answer",
    status,
    detail: `The service answered ${status} without saying why.`,
  };
}

/** The problem for a request that got no answer (offline, DNS, CORS, connection reset). */
export function offlineProblem(): Problem {
  return {
    type: OFFLINE,
    title: "You appear to be offline",
    status: 0,
    detail: "We could not reach Peerlearn. Check your connection; we will try again when you retry.",
  };
}

/**
 * The messages to show next to form fields, by field name. The API names nested fields with
 * dots and indexes (`skills[0].level`); a form that shows only the top-level field gets those
 * under the top-level name too, so nothing the API said is lost.
 */
export function fieldMessages(problem: Problem | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { field, message } of problem?.errors ?? []) {
    const text = `${field} ${message}`.trim();
    out[field] ??= text;
    const top = field.split(/[.[]/, 1)[0] ?? field;
    if (top !== field) out[top] ??= text;
  }
  return out;
}

/** What to show above a form: the detail, unless every error already sits next to a field the form has. */
export function formMessage(problem: Problem | null | undefined, shownFields: readonly string[] = []): string | null {
  if (!problem) return null;
  const errors = problem.errors ?? [];
  const placed = errors.length > 0 && errors.every((e) => shownFields.includes(e.field) || shownFields.includes(e.field.split(/[.[]/, 1)[0] ?? ""));
  if (placed) return null;
  const wait = problem.retry_after ? ` Try again in ${problem.retry_after} s.` : "";
  return `${problem.detail}${wait}`;
}
