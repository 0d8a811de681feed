import { expect, it } from "vitest";

import { ApiError, apiClients, unwrap, unwrapWithEtag } from "./client";

const BASE = "http://gateway.test";

function recorder(answer: (request: Request) => Response) {
  const seen: Request[] = [];
  return {
    seen,
    transport: async (request: Request) => {
      seen.push(request.clone());
      return answer(request);
    },
  };
}

it("calls the gateway's typed paths with query parameters and the bearer token", async () => {
  const fake = recorder((request) =>
    new URL(request.url).pathname.endsWith("/login")
      ? Response.json({ access_token: "tok" })
      : Response.json({ items: [], next_cursor: null }),
  );
  const api = apiClients(BASE, fake.transport);
  await api.session.logIn("ada@example.com", "pw");

  const page = await unwrap(
    api.todos.GET("/api/v1/todos", { params: { query: { completed: true, priority: "high", q: "milk", limit: 5 } } }),
  );

  expect(page).toEqual({ items: [], next_cursor: null });
  const request = fake.seen.at(-1)!;
  const url = new URL(request.url);
  expect(url.origin + url.pathname).toBe(`${BASE}/api/v1/todos`);
  expect(Object.fromEntries(url.searchParams)).toEqual({ completed: "true", priority: "high", q: "milk", limit: "5" });
  expect(request.headers.get("Authorization")).toBe("Bearer tok");
});

it("sends If-Match and gives back the new ETag", async () => {
  const fake = recorder(() => Response.json({ id: "t1", title: "New" }, { headers: { ETag: '"v3"' } }));
  const api = apiClients(BASE, fake.transport);

  const { data, etag } = await unwrapWithEtag(
    api.todos.PATCH("/api/v1/todos/{todo_id}", {
      params: { path: { todo_id: "t1" }, header: { "if-match": '"v2"' } },
      body: { title: "New" },
    }),
  );

  expect(data.title).toBe("New");
  expect(etag).toBe('"v3"');
  expect(fake.seen[0].headers.get("If-Match")).toBe('"v2"');
  expect(new URL(fake.seen[0].url).pathname).toBe("/api/v1/todos/t1");
});

it("throws the problem of a failed call as an ApiError", async () => {
  const fake = recorder(
    () =>
      new Response(
        JSON.stringify({ status: 412, title: "Precondition Failed", detail: "The todo has changed since you read it" }),
        { status: 412, headers: { "Content-Type": "application/problem+json" } },
      ),
  );
  const api = apiClients(BASE, fake.transport);

  const failure = unwrap(
    api.todos.PATCH("/api/v1/todos/{todo_id}", { params: { path: { todo_id: "t1" } }, body: { completed: true } }),
  );

  await expect(failure).rejects.toBeInstanceOf(ApiError);
  await expect(failure).rejects.toMatchObject({ status: 412, detail: "The todo has changed since you read it" });
});

it("sends credentials to auth only (the cookie is scoped to it anyway)", async () => {
  const fake = recorder(() => Response.json({}));
  const api = apiClients(BASE, fake.transport);

  await api.auth.PUT("/api/v1/auth/password", { body: { current_password: "a", new_password: "b" } });
  await api.users.GET("/api/v1/users/me");

  expect(fake.seen.map((request) => request.credentials)).toEqual(["include", "same-origin"]);
});
