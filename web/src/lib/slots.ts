/**
 * Bookable slots from a mentor's weekly availability, shown in the learner's time zone.
 *
 * Availability is wall-clock time in the mentor's zone (`mon 18:00-21:00`), so the same
 * window is a different UTC span in a DST week. The rules are the server's
 * (shared/src/domain/schedule.rs): a window edge in a DST gap moves to the gap's end, and in
 * a repeated hour a window starts at the earlier instant and ends at the later one. The
 * server re-checks every request; this only keeps the learner from picking a slot it would
 * refuse.
 */

/** `"mon"` … `"sun"`, as the API spells weekdays. */
export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/** One weekly window in the mentor's zone, `HH:MM` on quarter hours, `24:00` allowed as an end. */
export interface Window {
  day: Weekday;
  start: string;
  end: string;
}

/** A taken slot (a confirmed session). */
export interface Taken {
  start: string;
  duration_minutes: number;
}

/** A span of UTC time in ms, [start, end). */
export interface Interval {
  start: number;
  end: number;
}

/** A slot the learner can request. */
export interface Slot {
  /** The instant, as the API takes it. */
  start: string;
  /** The learner's local date, `YYYY-MM-DD`. */
  date: string;
  /** The learner's local time, `HH:MM`. */
  time: string;
}

const MINUTE = 60_000;
const QUARTER = 15 * MINUTE;
const DAY = 24 * 60 * MINUTE;
const WEEKDAYS: Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const formats = new Map<string, Intl.DateTimeFormat>();
function format(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formats.set(zone, f);
  }
  return f;
}

/** The wall-clock time in `zone` at `instant`, as ms of the same reading taken as UTC. */
export function wallClock(zone: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const p of format(zone).formatToParts(new Date(instant))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour! % 24, parts.minute!, parts.second!);
}

/** Which edge of a window a wall time is: decides the instant in a repeated hour. */
export type Edge = "start" | "end";

/** The instant a wall-clock time in `zone` names (see the module's DST rules). */
export function toInstant(zone: string, wall: number, edge: Edge): number {
  // A zone's offset is under a day, and it changes at most once around any given time.
  const offsets = new Set([wallClock(zone, wall - DAY) - (wall - DAY), wallClock(zone, wall + DAY) - (wall + DAY)]);
  const matches = [...offsets].map((offset) => wall - offset).filter((t) => wallClock(zone, t) === wall);
  if (matches.length > 0) return edge === "start" ? Math.min(...matches) : Math.max(...matches);
  // In a gap: the first instant whose wall time is after `wall` (bisection to the second).
  let low = wall - DAY;
  let high = wall + DAY;
  while (high - low > 1000) {
    const middle = low + Math.floor((high - low) / 2000) * 1000;
    if (wallClock(zone, middle) > wall) high = middle;
    else low = middle;
  }
  return high;
}

const minutesOf = (time: string) => {
  const [h, m] = time.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** The windows as UTC intervals within [from, to), merged and sorted. */
export function weekly(windows: readonly Window[], zone: string, from: number, to: number): Interval[] {
  const out: Interval[] = [];
  const first = Math.floor(wallClock(zone, from) / DAY) * DAY - DAY;
  const last = Math.floor(wallClock(zone, to) / DAY) * DAY + DAY;
  for (let date = first; date <= last; date += DAY) {
    const weekday = WEEKDAYS[new Date(date).getUTCDay()];
    for (const w of windows) {
      if (w.day !== weekday) continue;
      const start = Math.max(from, toInstant(zone, date + minutesOf(w.start) * MINUTE, "start"));
      const end = Math.min(to, toInstant(zone, date + minutesOf(w.end) * MINUTE, "end"));
      if (start < end) out.push({ start, end });
    }
  }
  return merge(out);
}

function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ ...i });
  }
  return out;
}

/** `free` without the taken spans. */
export function without(free: readonly Interval[], taken: readonly Interval[]): Interval[] {
  let out = free.map((i) => ({ ...i }));
  for (const t of taken) {
    out = out.flatMap((i) => {
      if (t.end <= i.start || t.start >= i.end) return [i];
      const parts: Interval[] = [];
      if (i.start < t.start) parts.push({ start: i.start, end: t.start });
      if (t.end < i.end) parts.push({ start: t.end, end: i.end });
      return parts;
    });
  }
  return out;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** What the learner picks from: every quarter-hour start where the whole session fits. */
export function bookableSlots(options: {
  windows: readonly Window[];
  mentorZone: string;
  learnerZone: string;
  taken: readonly Taken[];
  now: number;
  days: number;
  durationMinutes: number;
}): Slot[] {
  const from = Math.ceil((options.now + MINUTE) / QUARTER) * QUARTER;
  const to = from + options.days * DAY;
  const taken = options.taken.map((t) => {
    const start = Date.parse(t.start);
    return { start, end: start + t.duration_minutes * MINUTE };
  });
  const free = without(weekly(options.windows, options.mentorZone, from, to), taken);
  const length = options.durationMinutes * MINUTE;
  const slots: Slot[] = [];
  for (const interval of free) {
    for (let start = Math.ceil(interval.start / QUARTER) * QUARTER; start + length <= interval.end; start += QUARTER) {
      const wall = new Date(wallClock(options.learnerZone, start));
      slots.push({
        start: new Date(start).toISOString().replace(".000Z", "Z"),
        date: `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`,
        time: `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}`,
      });
    }
  }
  return slots;
}

/** The browser's own zone (the default for a new profile and for showing times). */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}
