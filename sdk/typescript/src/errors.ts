import type { components } from "./generated/openapi.js";

/** The kinds of error the API answers with, and connection_error for a request that got no answer. */
export type ErrorType = components["schemas"]["Error"]["type"] | "connection_error";

/**
 * BellhopError is every failure of an API call: an error answer of the hub
 * (Stripe-style, with its type, code, param and request id) or, with type
 * connection_error and status 0, a request that got no answer after every
 * retry. Abort is not one: an aborted call rejects with the signal's reason.
 */
export class BellhopError extends Error {
  /** The kind of error, e.g. invalid_request_error; see the hub's /docs/errors. */
  readonly type: ErrorType;
  /** A machine-readable detail, e.g. resource_missing or parameter_missing. */
  readonly code: string | undefined;
  /** The request parameter at fault, e.g. data.object.adults or limit. */
  readonly param: string | undefined;
  /** Where the error is explained. */
  readonly docUrl: string | undefined;
  /** The X-Request-Id of the answer: quote it when asking for help. */
  readonly requestId: string | undefined;
  /** The HTTP status, or 0 when no answer came. */
  readonly status: number;
  /** The Retry-After of the answer in milliseconds, when it had one. */
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    type: ErrorType;
    message: string;
    status: number;
    code?: string | undefined;
    param?: string | undefined;
    docUrl?: string | undefined;
    requestId?: string | undefined;
    retryAfterMs?: number | undefined;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "BellhopError";
    this.type = init.type;
    this.code = init.code;
    this.param = init.param;
    this.docUrl = init.docUrl;
    this.requestId = init.requestId;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/**
 * errorFromResponse builds the BellhopError of an error answer. A body that
 * is not the API's error shape (a proxy's HTML page, say) still gives an
 * error with the status and request id, typed api_error.
 */
export function errorFromResponse(status: number, headers: Headers, text: string, retryAfterMs?: number): BellhopError {
  const requestId = headers.get("x-request-id") ?? undefined;
  let body: Partial<components["schemas"]["Error"]> | undefined;
  try {
    body = (JSON.parse(text) as { error?: components["schemas"]["Error"] }).error;
  } catch {
    body = undefined;
  }
  return new BellhopError({
    type: body?.type ?? "api_error",
    message: body?.message ?? `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ""}`,
    status,
    code: body?.code,
    param: body?.param,
    docUrl: body?.doc_url,
    requestId: requestId ?? body?.request_id,
    retryAfterMs,
  });
}
