import { describe as group, expect, it } from "vitest";

import { ApiError, NetworkError, describe, fieldErrors, problemFrom, retryAfterSeconds } from "./problems";

const problem = (status: number, body: object, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ status, title: "t", ...body }), {
    status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  });

group("error mapping", () => {
  it("maps a 422's errors to their fields by location", () => {
    const fields = fieldErrors([
      { loc: ["body", "title"], msg: "String should have at least 1 character", type: "string_too_short" },
      { loc: ["body", "title"], msg: "second message for the same field", type: "x" },
      { loc: ["query", "limit"], msg: "Input should be less than or equal to 100", type: "less_than_equal" },
      { loc: ["body"], msg: "Field required", type: "missing" },
    ]);

    expect(fields).toEqual({
      title: "String should have at least 1 character",
      limit: "Input should be less than or equal to 100",
    });
  });

  it("keeps the problem's detail, status and field errors", async () => {
    const error = await problemFrom(
      problem(422, {
        detail: "body.email: value is not a valid email address",
        errors: [{ loc: ["body", "email"], msg: "value is not a valid email address", type: "value_error" }],
      }),
    );

    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(422);
    expect(error.detail).toBe("body.email: value is not a valid email address");
    expect(error.fieldErrors).toEqual({ email: "value is not a valid email address" });
  });

  it("survives an answer that is not JSON", async () => {
    const error = await problemFrom(new Response("<html>Bad gateway</html>", { status: 502 }));

    expect(error.status).toBe(502);
    expect(describe(error)).toBe("The service is briefly unavailable; please try again in a few seconds.");
  });

  it("tells when to retry after a 429", async () => {
    const error = await problemFrom(
      problem(429, { detail: "Too many requests; retry after the time in Retry-After" }, { "Retry-After": "7" }),
    );

    expect(error.retryAfterSeconds).toBe(7);
    expect(describe(error)).toBe("Too many requests; retry after the time in Retry-After. Try again in 7 seconds.");
  });

  it("says a 503 means the service is briefly away", async () => {
    const error = await problemFrom(
      problem(503, { detail: "The todos service is unavailable; retry shortly" }, { "Retry-After": "3" }),
    );

    expect(describe(error)).toBe("The service is briefly unavailable; please try again in a few seconds.");
  });

  it("shows any other problem's detail as it is", async () => {
    expect(describe(await problemFrom(problem(409, { detail: "An account with this email already exists" })))).toBe(
      "An account with this email already exists",
    );
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = new Date("2026-01-01T00:00:00Z");

    expect(retryAfterSeconds("30", now)).toBe(30);
    expect(retryAfterSeconds("Thu, 01 Jan 2026 00:01:00 GMT", now)).toBe(60);
    expect(retryAfterSeconds(null, now)).toBeNull();
    expect(retryAfterSeconds("soon", now)).toBeNull();
  });

  it("describes a network failure", () => {
    expect(describe(new NetworkError())).toMatch(/Cannot reach the server/);
  });
});
