// The signed-in session. The access token lives in this object's memory only; the refresh
// token is an HttpOnly cookie that JavaScript never sees (auth sets it on login with
// `X-Refresh-Token-Transport: cookie`), sent by the browser to /api/v1/auth only.

import { ApiError, NetworkError, problemFrom } from "./problems";

export type Fetch = (request: Request) => Promise<Response>;

const AUTH = "/api/v1/auth";

export class Session {
  private accessToken: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private readonly listeners = new Set<(signedIn: boolean) => void>();

  constructor(
    private readonly baseUrl: string,
    private readonly transport: Fetch = (request) => fetch(request),
  ) {}

  get signedIn(): boolean {
    return this.accessToken !== null;
  }

  /** Told when the session ends by itself (the refresh token was refused). */
  onChange(listener: (signedIn: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async logIn(email: string, password: string): Promise<void> {
    const response = await this.send(
      new Request(`${this.baseUrl}${AUTH}/login`, {
        method: "POST",
        headers: { "X-Refresh-Token-Transport": "cookie" },
        body: new URLSearchParams({ username: email, password }),
        credentials: "include",
      }),
    );
    if (!response.ok) throw await problemFrom(response);
    this.accessToken = ((await response.json()) as { access_token: string }).access_token;
  }

  async logOut(): Promise<void> {
    this.accessToken = null;
    try {
      // Revokes the session and clears the cookie; an already dead one needs nothing more.
      await this.send(
        new Request(`${this.baseUrl}${AUTH}/logout`, { method: "POST", credentials: "include" }),
      );
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
    }
  }

  /** On page load: a new access token from the cookie, if the browser has a live one. */
  restore(): Promise<boolean> {
    return this.refresh();
  }

  /**
   * A new access token through the cookie. Concurrent callers share one request: the
   * refresh token rotates on every use, and auth treats a second use of the same token as
   * theft (it revokes the whole session), so two refreshes at once would log the user out.
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.refreshOnce().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refreshOnce(): Promise<boolean> {
    const response = await this.send(
      new Request(`${this.baseUrl}${AUTH}/refresh`, { method: "POST", credentials: "include" }),
    );
    if (response.ok) {
      this.accessToken = ((await response.json()) as { access_token: string }).access_token;
      return true;
    }
    if (response.status === 401) {
      const wasSignedIn = this.accessToken !== null;
      this.accessToken = null;
      if (wasSignedIn) this.listeners.forEach((listener) => listener(false));
      return false;
    }
    // 429, 503...: the session may still be fine; let the caller show why.
    throw await problemFrom(response);
  }

  /**
   * The fetch the API clients use: adds the bearer token and, on a 401, refreshes once and
   * retries once. Auth's own token endpoints are never retried this way.
   */
  readonly fetch: Fetch = async (request) => {
    const retry = request.clone();
    const sentWith = this.accessToken;
    const response = await this.send(this.authorised(request));
    if (response.status !== 401 || this.isTokenEndpoint(request) || sentWith === null) {
      return response;
    }
    // Another request may have refreshed while this one was out: then only retry.
    const refreshed =
      this.accessToken !== null && this.accessToken !== sentWith ? true : await this.refresh();
    return refreshed ? this.send(this.authorised(retry)) : response;
  };

  private authorised(request: Request): Request {
    if (this.accessToken === null) return request;
    const headers = new Headers(request.headers);
    headers.set("Authorization", `Bearer ${this.accessToken}`);
    return new Request(request, { headers });
  }

  private isTokenEndpoint(request: Request): boolean {
    const path = new URL(request.url).pathname;
    return ["login", "refresh", "logout"].some((name) => path === `${AUTH}/${name}`);
  }

  private async send(request: Request): Promise<Response> {
    try {
      return await this.transport(request);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new NetworkError();
    }
  }
}
