// The typed API clients (types generated from the services' OpenAPI documents by
// `make frontend-client`), all going through one Session for their tokens.

import createClient from "openapi-fetch";

import type { components as AuthComponents, paths as AuthPaths } from "./generated/auth";
import type { components as TodosComponents, paths as TodosPaths } from "./generated/todos";
import type { components as UsersComponents, paths as UsersPaths } from "./generated/users";
import { ApiError, apiError } from "./problems";
import { Session, type Fetch } from "./session";

export type Todo = TodosComponents["schemas"]["TodoPublic"];
export type TodoCreate = TodosComponents["schemas"]["TodoCreate"];
export type TodoUpdate = TodosComponents["schemas"]["TodoUpdate"];
export type TodoSort = TodosComponents["schemas"]["TodoSort"];
export type Priority = TodosComponents["schemas"]["Priority"];
export type Profile = UsersComponents["schemas"]["ProfilePublic"];
export type AccountCreate = AuthComponents["schemas"]["AccountCreate"];

export function apiClients(baseUrl: string, transport?: Fetch) {
  const session = new Session(baseUrl, transport);
  const options = { baseUrl, fetch: session.fetch };
  return {
    session,
    // The cookie is scoped to /api/v1/auth, so only auth's client sends credentials.
    auth: createClient<AuthPaths>({ ...options, credentials: "include" }),
    users: createClient<UsersPaths>(options),
    todos: createClient<TodosPaths>(options),
  };
}

export type ApiClients = ReturnType<typeof apiClients>;

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a 2xx answer, or the ApiError (problem+json) of any other. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw apiError(response, error);
  return data as T;
}

/** Like `unwrap`, with the answer's ETag (for If-Match on the next change). */
export async function unwrapWithEtag<T>(call: Promise<Answer<T>>): Promise<{ data: T; etag: string | null }> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw apiError(response, error);
  return { data: data as T, etag: response.headers.get("ETag") };
}

export { ApiError };
