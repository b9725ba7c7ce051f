import { BellhopError, errorFromResponse } from "./errors.js";
import { webCrypto } from "./webcrypto.js";

/** ClientOptions configure a Bellhop client. */
export interface ClientOptions {
  /** A bh_test_… or bh_live_… API key. */
  apiKey: string;
  /** The hub's address, with or without the trailing /v1; default http://127.0.0.1:8080. */
  baseUrl?: string;
  /** Retries after the first attempt of a call that failed with 408, 429, 5xx, 409 idempotency_error or no answer; default 2. */
  maxRetries?: number;
  /** How long one attempt may take, in milliseconds; default 60 000. */
  timeoutMs?: number;
  /**
   * The longest the client waits before a retry, in milliseconds; default
   * 60 000. An answer whose Retry-After asks for longer is not retried: it
   * rejects at once with its error, whose retryAfterMs says when to come back.
   */
  maxRetryDelayMs?: number;
  /** The fetch to call; default the global one. */
  fetch?: typeof fetch;
}

/** RequestOptions tune one call. */
export interface RequestOptions {
  /** The Idempotency-Key of a POST; default a fresh random one per call, reused by its retries. */
  idempotencyKey?: string;
  /** Aborts the call, waits between retries included; it then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the client's maxRetries for this call. */
  maxRetries?: number;
  /** Overrides the client's timeoutMs for this call. */
  timeoutMs?: number;
}

type QueryValue = string | number | boolean | undefined | null;

/** A Call is one API operation, before the transport sends it. */
export interface Call {
  method: "GET" | "POST" | "DELETE";
  path: string;
  query?: object | undefined;
  body?: unknown;
  options?: RequestOptions | undefined;
}

const version = "0.1.0";

/**
 * Transport sends calls to the hub: it authenticates, sets an
 * Idempotency-Key on every POST, retries what is safe to retry with backoff
 * (honouring Retry-After) and turns error answers into BellhopErrors.
 */
export class Transport {
  readonly #apiKey: string;
  readonly #base: string;
  readonly #maxRetries: number;
  readonly #timeoutMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: ClientOptions) {
    if (!options.apiKey) throw new TypeError("Bellhop: apiKey is required (a bh_test_… or bh_live_… key)");
    this.#apiKey = options.apiKey;
    this.#base = (options.baseUrl ?? "http://127.0.0.1:8080").replace(/\/+$/, "").replace(/\/v1$/, "");
    this.#maxRetries = options.maxRetries ?? 2;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#maxRetryDelayMs = options.maxRetryDelayMs ?? 60_000;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** request sends call and resolves to its decoded JSON answer. */
  async request<T>(call: Call): Promise<T> {
    const opts = call.options ?? {};
    const url = this.#url(call.path, call.query);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.#apiKey}`,
      Accept: "application/json",
      "User-Agent": `bellhop-sdk-typescript/${version}`,
    };
    if (call.body !== undefined) headers["Content-Type"] = "application/json";
    if (call.method === "POST") headers["Idempotency-Key"] = opts.idempotencyKey ?? (await newIdempotencyKey());
    const init = { method: call.method, headers, body: call.body === undefined ? undefined : JSON.stringify(call.body) };
    const maxRetries = opts.maxRetries ?? this.#maxRetries;

    for (let attempt = 0; ; attempt++) {
      opts.signal?.throwIfAborted();
      const outcome = await this.#attempt(url, init, opts.signal, opts.timeoutMs ?? this.#timeoutMs);
      if (outcome.ok) return outcome.value as T;
      const { error, retryable } = outcome;
      const delay = retryDelay(attempt, error.retryAfterMs);
      if (!retryable || attempt >= maxRetries || delay > this.#maxRetryDelayMs) throw error;
      await sleep(delay, opts.signal);
    }
  }

  async #attempt(
    url: string,
    init: RequestInit,
    signal: AbortSignal | undefined,
    timeoutMs: number,
  ): Promise<{ ok: true; value: unknown } | { ok: false; error: BellhopError; retryable: boolean }> {
    const { signal: attemptSignal, done, timedOut } = attemptSignalOf(signal, timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await this.#fetch(url, { ...init, signal: attemptSignal });
      text = await res.text();
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      const why = timedOut() ? `no answer within ${timeoutMs} ms` : String((cause as Error)?.message ?? cause);
      const error = new BellhopError({ type: "connection_error", status: 0, message: `${init.method} ${url}: ${why}`, cause });
      return { ok: false, error, retryable: true };
    } finally {
      done();
    }
    if (res.ok) {
      try {
        return { ok: true, value: text ? JSON.parse(text) : undefined };
      } catch (cause) {
        const error = errorFromResponse(res.status, res.headers, text);
        return { ok: false, error: new BellhopError({ ...fields(error), message: `${init.method} ${url}: the answer is not JSON`, cause }), retryable: false };
      }
    }
    const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
    const error = errorFromResponse(res.status, res.headers, text, retryAfterMs);
    return { ok: false, error, retryable: retryable(res.status, error) };
  }

  #url(path: string, query: object | undefined): string {
    const url = new URL(this.#base + path);
    for (const [key, value] of Object.entries(query ?? {}) as [string, QueryValue][]) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }
}

/**
 * retryable says whether an error answer may succeed if sent again: a
 * timeout, a rate limit, a server error, or a 409 idempotency_error (the
 * first request with this key, an attempt that timed out here, is still
 * running on the hub; once it ends the retry gets its answer).
 */
function retryable(status: number, error: BellhopError): boolean {
  return status === 408 || status === 429 || status >= 500 || (status === 409 && error.type === "idempotency_error");
}

function fields(e: BellhopError) {
  return { type: e.type, status: e.status, code: e.code, param: e.param, docUrl: e.docUrl, requestId: e.requestId };
}

/**
 * retryDelay is how long to wait before retry number attempt+1: what the
 * answer's Retry-After asked for, else exponential backoff from 500 ms,
 * capped at 8 s, with jitter so that many clients do not retry in step.
 */
export function retryDelay(attempt: number, retryAfterMs: number | undefined): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const base = Math.min(500 * 2 ** attempt, 8_000);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/** parseRetryAfter reads Retry-After, in seconds or as an HTTP date, as milliseconds from now. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

// attemptSignalOf combines the caller's signal with the attempt's timeout
// (AbortSignal.any is Node 20.3+, so by hand); done removes the listener and
// the timer.
function attemptSignalOf(signal: AbortSignal | undefined, timeoutMs: number) {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    done: () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    },
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

async function newIdempotencyKey(): Promise<string> {
  return (await webCrypto()).randomUUID();
}
