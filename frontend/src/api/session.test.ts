import { describe, expect, it } from "vitest";

import { NetworkError } from "./problems";
import { Session } from "./session";

const BASE = "http://gateway.test";

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": status < 400 ? "application/json" : "application/problem+json", ...headers },
  });
}

const unauthorized = () => json(401, { status: 401, title: "Unauthorized", detail: "Missing, expired or invalid bearer token" });

/** A fake gateway: `auth` answers the token endpoints, `api` everything else. */
function gateway(options: { validTokens: Set<string>; refreshes?: string[] }) {
  const seen: Request[] = [];
  let refreshCount = 0;
  let release: () => void = () => {};
  const refreshGate = new Promise<void>((resolve) => (release = resolve));
  const transport = async (request: Request): Promise<Response> => {
    seen.push(request);
    const path = new URL(request.url).pathname;
    if (path === "/api/v1/auth/login") return json(200, { access_token: "first", token_type: "bearer", expires_in: 900 });
    if (path === "/api/v1/auth/refresh") {
      refreshCount += 1;
      await refreshGate; // held open so concurrent callers overlap
      const token = options.refreshes?.shift();
      if (!token) return unauthorized();
      options.validTokens.add(token);
      return json(200, { access_token: token, token_type: "bearer", expires_in: 900 });
    }
    if (path === "/api/v1/auth/logout") return new Response(null, { status: 204 });
    const token = request.headers.get("Authorization")?.replace("Bearer ", "");
    return token && options.validTokens.has(token) ? json(200, { ok: true, token }) : unauthorized();
  };
  return { transport, seen, refreshCount: () => refreshCount, release };
}

describe("Session", () => {
  it("logs in with the cookie transport and keeps the refresh token out of reach", async () => {
    const fake = gateway({ validTokens: new Set(["first"]) });
    const session = new Session(BASE, fake.transport);

    await session.logIn("ada@example.com", "correct horse battery");

    const [login] = fake.seen;
    expect(login.headers.get("X-Refresh-Token-Transport")).toBe("cookie");
    expect(login.credentials).toBe("include");
    expect(await login.text()).toBe("username=ada%40example.com&password=correct+horse+battery");
    expect(session.signedIn).toBe(true);
  });

  it("sends the access token as a bearer token", async () => {
    const fake = gateway({ validTokens: new Set(["first"]) });
    const session = new Session(BASE, fake.transport);
    await session.logIn("ada@example.com", "pw");

    const response = await session.fetch(new Request(`${BASE}/api/v1/todos`));

    expect(response.status).toBe(200);
    expect(fake.seen.at(-1)!.headers.get("Authorization")).toBe("Bearer first");
  });

  it("on a 401 refreshes once and retries the request with its body", async () => {
    const fake = gateway({ validTokens: new Set(), refreshes: ["second"] });
    const session = new Session(BASE, fake.transport);
    await session.logIn("ada@example.com", "pw"); // "first" is already expired
    fake.release();

    const response = await session.fetch(
      new Request(`${BASE}/api/v1/todos`, { method: "POST", body: JSON.stringify({ title: "Milk" }) }),
    );

    expect(response.status).toBe(200);
    expect(fake.refreshCount()).toBe(1);
    const retried = fake.seen.at(-1)!;
    expect(retried.headers.get("Authorization")).toBe("Bearer second");
    expect(await retried.text()).toBe('{"title":"Milk"}');
  });

  it("refreshes only once when several requests fail together", async () => {
    const fake = gateway({ validTokens: new Set(), refreshes: ["second", "third"] });
    const session = new Session(BASE, fake.transport);
    await session.logIn("ada@example.com", "pw");

    const pending = [1, 2, 3, 4].map(() => session.fetch(new Request(`${BASE}/api/v1/todos`)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    fake.release();
    const responses = await Promise.all(pending);

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    expect(fake.refreshCount()).toBe(1);
  });

  it("does not refresh again for a 401 that answered the old token after a refresh", async () => {
    let refreshes = 0;
    let answerLate: (response: Response) => void = () => {};
    const session = new Session(BASE, async (request) => {
      const path = new URL(request.url).pathname;
      const token = request.headers.get("Authorization");
      if (path.endsWith("/login")) return json(200, { access_token: "first" });
      if (path.endsWith("/refresh")) {
        refreshes += 1;
        return json(200, { access_token: `fresh-${refreshes}` });
      }
      if (path === "/late" && token === "Bearer first") {
        return new Promise<Response>((resolve) => (answerLate = resolve));
      }
      return token === "Bearer first" ? unauthorized() : json(200, { token });
    });
    await session.logIn("ada@example.com", "pw");

    const late = session.fetch(new Request(`${BASE}/late`)); // sent with "first"
    await session.fetch(new Request(`${BASE}/now`)); // 401, refreshes to fresh-1
    answerLate(unauthorized()); // the old token's 401 arrives after that refresh
    const response = await late;

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ token: "Bearer fresh-1" });
    expect(refreshes).toBe(1);
  });

  it("gives the 401 back and signs out when the refresh token is refused", async () => {
    const fake = gateway({ validTokens: new Set(), refreshes: [] });
    const session = new Session(BASE, fake.transport);
    await session.logIn("ada@example.com", "pw");
    const events: boolean[] = [];
    session.onChange((signedIn) => events.push(signedIn));
    fake.release();

    const response = await session.fetch(new Request(`${BASE}/api/v1/users/me`));

    expect(response.status).toBe(401);
    expect(session.signedIn).toBe(false);
    expect(events).toEqual([false]);
    expect(fake.refreshCount()).toBe(1);
  });

  it("never refreshes for a request sent without a token", async () => {
    const fake = gateway({ validTokens: new Set(), refreshes: ["second"] });
    const session = new Session(BASE, fake.transport);

    const response = await session.fetch(new Request(`${BASE}/api/v1/todos`));

    expect(response.status).toBe(401);
    expect(fake.refreshCount()).toBe(0);
  });

  it("restores a session on page load through the cookie alone", async () => {
    const fake = gateway({ validTokens: new Set(), refreshes: ["restored"] });
    const session = new Session(BASE, fake.transport);
    fake.release();

    expect(await session.restore()).toBe(true);

    const refresh = fake.seen[0];
    expect(refresh.credentials).toBe("include");
    expect(await refresh.text()).toBe("");
    expect(session.signedIn).toBe(true);
  });

  it("logs out locally even when the server cannot be reached", async () => {
    const session = new Session(BASE, async (request) => {
      if (new URL(request.url).pathname.endsWith("/login")) return json(200, { access_token: "t" });
      throw new TypeError("Failed to fetch");
    });
    await session.logIn("ada@example.com", "pw");

    await session.logOut();

    expect(session.signedIn).toBe(false);
  });

  it("turns a failed fetch into a NetworkError", async () => {
    const session = new Session(BASE, async () => {
      throw new TypeError("Failed to fetch");
    });

    await expect(session.logIn("a@example.com", "pw")).rejects.toBeInstanceOf(NetworkError);
  });
});
