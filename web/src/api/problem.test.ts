import { describe, expect, it } from "vitest";
import { ApiError, OFFLINE, UNEXPECTED, fieldMessages, formMessage, offlineProblem, toProblem } from "./problem";

const invalid = {
  type: "urn:peerlearn:problem:validation",
  title: "Invalid request",
  status: 400,
  detail: "The request has 2 invalid fields.",
  errors: [
    { field: "email", message: "is not an email address" },
    { field: "skills[0].level", message: "must be 1 to 5" },
  ],
};

describe("toProblem", () => {
  it("keeps a problem document as the API sent it", () => {
    const p = toProblem(400, invalid);
    expect(p.type).toBe("urn:peerlearn:problem:validation");
    expect(p.errors).toHaveLength(2);
  });

  it("turns a 502 page that is not a problem into a 5xx problem", () => {
    const p = toProblem(502, "<html>Bad Gateway</html>");
    expect(p.type).toBe(UNEXPECTED);
    expect(p.status).toBe(502);
    expect(p.detail).toMatch(/our side/);
  });

  it("says the status of a 4xx without a body", () => {
    expect(toProblem(418, null).detail).toContain("418");
  });

  it("fills a missing detail from the title", () => {
    expect(toProblem(404, { type: "x", title: "Not found", status: 404 }).detail).toBe("Not found");
  });
});

describe("field messages", () => {
  it("puts each error next to its field and nested ones under the top-level field too", () => {
    const m = fieldMessages(invalid);
    expect(m.email).toBe("email is not an email address");
    expect(m["skills[0].level"]).toBe("skills[0].level must be 1 to 5");
    expect(m.skills).toBe("skills[0].level must be 1 to 5");
  });

  it("shows the detail above the form only when some error has no field on the form", () => {
    expect(formMessage(invalid, ["email", "skills"])).toBeNull();
    expect(formMessage(invalid, ["email"])).toBe("The request has 2 invalid fields.");
    expect(formMessage({ ...invalid, errors: [], retry_after: 30, detail: "Slow down." })).toBe("Slow down. Try again in 30 s.");
  });
});

describe("offline and kinds", () => {
  it("has a problem for no answer at all", () => {
    expect(offlineProblem().type).toBe(OFFLINE);
    expect(offlineProblem().status).toBe(0);
  });

  it("matches short kinds", () => {
    expect(new ApiError({ ...invalid, type: "urn:peerlearn:problem:conflict" }).is("conflict")).toBe(true);
    expect(new ApiError(invalid).is("conflict")).toBe(false);
  });
});
