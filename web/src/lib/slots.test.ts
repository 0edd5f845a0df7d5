import { describe, expect, it } from "vitest";
import { bookableSlots, toInstant, wallClock, weekly, without } from "./slots";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe("wall clock and instants", () => {
  it("reads Madrid's wall clock in winter and summer", () => {
    expect(iso(wallClock("Europe/Madrid", at("2026-01-15T12:00:00Z")))).toBe("2026-01-15T13:00:00.000Z");
    expect(iso(wallClock("Europe/Madrid", at("2026-07-15T12:00:00Z")))).toBe("2026-07-15T14:00:00.000Z");
  });

  it("moves a wall time in the spring gap to the gap's end (Madrid, 2026-03-29 02:30 does not exist)", () => {
    expect(iso(toInstant("Europe/Madrid", at("2026-03-29T02:30:00Z"), "start"))).toBe("2026-03-29T01:00:00.000Z");
  });

  it("starts at the earlier and ends at the later instant of a repeated hour (Madrid, 2026-10-25 02:30)", () => {
    const wall = at("2026-10-25T02:30:00Z");
    expect(iso(toInstant("Europe/Madrid", wall, "start"))).toBe("2026-10-25T00:30:00.000Z");
    expect(iso(toInstant("Europe/Madrid", wall, "end"))).toBe("2026-10-25T01:30:00.000Z");
  });

  it("handles quarter-hour zones (Kathmandu +05:45, Chatham +13:45)", () => {
    expect(iso(toInstant("Asia/Kathmandu", at("2026-05-01T09:00:00Z"), "start"))).toBe("2026-05-01T03:15:00.000Z");
    expect(iso(toInstant("Pacific/Chatham", at("2026-01-01T00:00:00Z"), "start"))).toBe("2025-12-31T10:15:00.000Z");
  });
});

describe("weekly windows as instants", () => {
  const sundayNight = [{ day: "sun" as const, start: "01:00", end: "04:00" }];

  it("gives a three-hour window two hours on the spring-forward night", () => {
    const spans = weekly(sundayNight, "Europe/Madrid", at("2026-03-28T00:00:00Z"), at("2026-03-30T00:00:00Z"));
    expect(spans.map((s) => [iso(s.start), iso(s.end)])).toEqual([["2026-03-29T00:00:00.000Z", "2026-03-29T02:00:00.000Z"]]);
  });

  it("gives it four hours on the fall-back night", () => {
    const spans = weekly(sundayNight, "Europe/Madrid", at("2026-10-24T00:00:00Z"), at("2026-10-26T00:00:00Z"));
    expect(spans.map((s) => [iso(s.start), iso(s.end)])).toEqual([["2026-10-24T23:00:00.000Z", "2026-10-25T03:00:00.000Z"]]);
  });

  it("runs a window to 24:00 into the next day and merges it with one from 00:00", () => {
    const windows = [
      { day: "mon" as const, start: "22:00", end: "24:00" },
      { day: "tue" as const, start: "00:00", end: "01:00" },
    ];
    const spans = weekly(windows, "UTC", at("2026-11-30T00:00:00Z"), at("2026-12-02T00:00:00Z"));
    expect(spans.map((s) => [iso(s.start), iso(s.end)])).toEqual([["2026-11-30T22:00:00.000Z", "2026-12-01T01:00:00.000Z"]]);
  });

  it("takes out what is taken", () => {
    const free = [{ start: 0, end: 100 }];
    expect(without(free, [{ start: 20, end: 30 }, { start: 90, end: 120 }])).toEqual([
      { start: 0, end: 20 },
      { start: 30, end: 90 },
    ]);
  });
});

describe("bookable slots", () => {
  // A mentor in Madrid free Mondays 18:00-20:00; a learner in New York. Between the US
  // change (2026-03-08) and the EU one (2026-03-29) the two are five hours apart, not six.
  const options = {
    windows: [{ day: "mon" as const, start: "18:00", end: "20:00" }],
    mentorZone: "Europe/Madrid",
    learnerZone: "America/New_York",
    taken: [],
    days: 7,
    durationMinutes: 60,
  };

  it("shows a Madrid evening at noon in New York in the weeks the US is on summer time alone", () => {
    const slots = bookableSlots({ ...options, now: at("2026-03-10T00:00:00Z") });
    expect(slots[0]).toEqual({ start: "2026-03-16T17:00:00Z", date: "2026-03-16", time: "13:00" });
    expect(slots.map((s) => s.time)).toEqual(["13:00", "13:15", "13:30", "13:45", "14:00"]);
  });

  it("and at noon again once both are on summer time", () => {
    const slots = bookableSlots({ ...options, now: at("2026-03-31T00:00:00Z") });
    expect(slots[0]).toEqual({ start: "2026-04-06T16:00:00Z", date: "2026-04-06", time: "12:00" });
  });

  it("leaves out slots that overlap a confirmed session and those already begun", () => {
    const slots = bookableSlots({
      ...options,
      now: at("2026-03-16T17:20:00Z"),
      taken: [{ start: "2026-03-16T18:00:00Z", duration_minutes: 30 }],
      days: 1,
      durationMinutes: 30,
    });
    expect(slots.map((s) => s.start)).toEqual(["2026-03-16T17:30:00Z", "2026-03-16T18:30:00Z"]);
  });

  it("puts a slot on the learner's own date across midnight (Tokyo learner)", () => {
    const slots = bookableSlots({ ...options, learnerZone: "Asia/Tokyo", now: at("2026-06-01T00:00:00Z"), durationMinutes: 120 });
    expect(slots).toEqual([{ start: "2026-06-01T16:00:00Z", date: "2026-06-02", time: "01:00" }]);
  });

  it("finds the leap day (Tuesday 2028-02-29)", () => {
    const slots = bookableSlots({
      ...options,
      windows: [{ day: "tue", start: "10:00", end: "11:00" }],
      mentorZone: "UTC",
      learnerZone: "UTC",
      now: at("2028-02-28T00:00:00Z"),
      days: 3,
    });
    expect(slots.map((s) => s.date)).toEqual(["2028-02-29"]);
  });
});
