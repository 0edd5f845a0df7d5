import type { ButtonHTMLAttributes, ComponentChildren, InputHTMLAttributes } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, OFFLINE, type Problem, fieldMessages, formMessage } from "./api/problem";

/** A load's state: what the page shows while it waits, when it fails, and when it has data. */
export type Loaded<T> = { state: "loading" } | { state: "failed"; problem: Problem } | { state: "ready"; data: T };

/** Loads when `deps` change; `reload` runs it again. Never leaves the page blank. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): [Loaded<T>, () => void, (data: T) => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setLoaded({ state: "ready", data }),
      (error) => current && setLoaded({ state: "failed", problem: asProblem(error) }),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  const set = useCallback((data: T) => setLoaded({ state: "ready", data }), []);
  return [loaded, reload, set];
}

/** Any thrown value as a problem to show. */
export function asProblem(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  return { type: "urn:peerlearn:client:bug", title: "Something went wrong", status: 0, detail: String(error instanceof Error ? error.message : error) };
}

/** Runs an action (a button, a form): busy state, and the problem it ended with. */
export function useAction<A extends unknown[]>(action: (...args: A) => Promise<unknown>) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const running = useRef(false);
  const run = useCallback(
    async (...args: A) => {
      // A double click runs it once.
      if (running.current) return;
      running.current = true;
      setBusy(true);
      setProblem(null);
      try {
        await action(...args);
      } catch (error) {
        setProblem(asProblem(error));
      } finally {
        running.current = false;
        setBusy(false);
      }
    },
    [action],
  );
  return { run, busy, problem, setProblem };
}

/** What went wrong, said plainly, with a retry where one makes sense. */
export function ProblemNote(props: { problem: Problem | null; fields?: readonly string[]; retry?: () => void }) {
  const text = formMessage(props.problem, props.fields);
  if (!text || !props.problem) return null;
  const offline = props.problem.type === OFFLINE;
  return (
    <div class={offline ? "note warn" : "note error"} role="alert">
      <strong>{props.problem.title}.</strong> {text}
      {props.retry && (
        <button type="button" class="link" onClick={props.retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A page's load: spinner, problem with retry, or the content. */
export function Loading<T>(props: { loaded: Loaded<T>; retry?: () => void; children: (data: T) => ComponentChildren }) {
  if (props.loaded.state === "loading") return <p class="muted" aria-busy="true">Loading…</p>;
  if (props.loaded.state === "failed") return <ProblemNote problem={props.loaded.problem} retry={props.retry} />;
  return <>{props.children(props.loaded.data)}</>;
}

let fieldIds = 0;

/** A labelled input with the API's message for its field beneath it. */
export function Field(
  props: { label: string; name: string; problem: Problem | null; hint?: string } & InputHTMLAttributes<HTMLInputElement>,
) {
  const { label, name, problem, hint, ...input } = props;
  const [id] = useState(() => `f${++fieldIds}`);
  const message = fieldMessages(problem)[name];
  return (
    <div class={message ? "field invalid" : "field"}>
      <label for={id}>{label}</label>
      <input id={id} name={name} aria-invalid={message ? "true" : undefined} aria-describedby={message ? `${id}-error` : hint ? `${id}-hint` : undefined} {...input} />
      {hint && !message && (
        <small id={`${id}-hint`} class="muted">
          {hint}
        </small>
      )}
      {message && (
        <small id={`${id}-error`} class="field-error" role="alert">
          {message}
        </small>
      )}
    </div>
  );
}

/** The field's error message, for controls `Field` does not draw itself (selects, editors). */
export function FieldError(props: { problem: Problem | null; name: string }) {
  const message = fieldMessages(props.problem)[props.name];
  return message ? (
    <small class="field-error" role="alert">
      {message}
    </small>
  ) : null;
}

/** A button that shows it is working and cannot be pressed twice meanwhile. */
export function Button(props: { busy?: boolean } & ButtonHTMLAttributes<HTMLButtonElement>) {
  const { busy, children, disabled, ...rest } = props;
  return (
    <button type="button" disabled={busy || !!disabled} aria-busy={busy ? "true" : undefined} {...rest}>
      {children}
    </button>
  );
}

/** The values of a form's named controls. */
export function formValues(event: Event): Record<string, string> {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const out: Record<string, string> = {};
  new FormData(form).forEach((value, key) => {
    if (typeof value === "string") out[key] = value;
  });
  return out;
}
