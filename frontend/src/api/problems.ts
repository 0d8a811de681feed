// Errors as the platform answers them (RFC 9457 problem+json), turned into what a screen
// shows: one message for the action, and one per field for a 422's `errors`.

export interface ValidationItem {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  errors?: ValidationItem[] | null;
}

export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;
  readonly fieldErrors: Record<string, string>;
  readonly retryAfterSeconds: number | null;

  constructor(problem: Problem, retryAfterSeconds: number | null = null) {
    const detail = problem.detail ?? problem.title ?? `Request failed (${problem.status})`;
    super(detail);
    this.name = "ApiError";
    this.status = problem.status;
    this.detail = detail;
    this.fieldErrors = fieldErrors(problem.errors ?? []);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A request that never got an answer (gateway down, network gone). */
export class NetworkError extends Error {
  constructor() {
    super("Cannot reach the server; check your connection and try again.");
    this.name = "NetworkError";
  }
}

/**
 * Field name -> message. `loc` is where the value was: ["body", "title"] is the field
 * "title"; ["query", "q"] is "q". The first message for a field wins.
 */
export function fieldErrors(items: ValidationItem[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const item of items) {
    const path = item.loc.filter((part) => part !== "body" && part !== "query");
    const field = path.length > 0 ? String(path[0]) : "";
    if (field && !(field in fields)) fields[field] = item.msg;
  }
  return fields;
}

/** Retry-After as seconds (it may also be an HTTP date); null when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now: Date = new Date()): number | null {
  if (header === null || header.trim() === "") return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

/** The ApiError of a non-2xx answer whose body was already read (`body`: parsed or text). */
export function apiError(response: Response, body: unknown): ApiError {
  const problem: Problem =
    body && typeof body === "object"
      ? { ...(body as Problem), status: response.status }
      : { status: response.status };
  return new ApiError(problem, retryAfterSeconds(response.headers.get("Retry-After")));
}

/** The ApiError a non-2xx answer stands for, whatever its body (a proxy may send HTML). */
export async function problemFrom(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: the status alone
  }
  return apiError(response, body);
}

/** The sentence a screen shows for an error beside the action that caused it. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) {
      const wait = error.retryAfterSeconds;
      return wait === null
        ? `${sentence(error.detail)} Please wait a moment before trying again.`
        : `${sentence(error.detail)} Try again in ${wait} second${wait === 1 ? "" : "s"}.`;
    }
    if (error.status === 502 || error.status === 503 || error.status === 504) {
      return "The service is briefly unavailable; please try again in a few seconds.";
    }
    return error.detail;
  }
  if (error instanceof NetworkError) return error.message;
  return "Something went wrong; please try again.";
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
